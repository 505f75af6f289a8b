package dev.orca.gateway.web;

import dev.orca.gateway.GatewayTestSupport;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * A client that keeps its connection open (every browser, most HTTP libraries) gets an answer to
 * every request on it. Authenticated answers finish on the database driver's thread, and a
 * request that arrives on the same connection before the previous one has fully ended is queued
 * by the server; Reactor Netty 1.3.6 could then stop reading the connection, and the next request
 * on it never got an answer (about one sequence in 25 here). Each round mixes answers that wait for
 * the database with ones given at once (a missing asset), and a body refused unread, over the
 * pooled connection the clients share.
 */
class KeepAliveIntegrationTest extends GatewayTestSupport {

  @Test
  void shouldAnswerEveryRequestOnAKeptAliveConnection() {
    WebTestClient client = admin();
    WebTestClient anonymous = anonymous();
    for (int round = 0; round < 150; round++) {
      client.get().uri("/api/v1/agents").exchange().expectStatus().isOk();
      client.get().uri("/api/v1/no-such-route").exchange().expectStatus().isNotFound();
      anonymous.get().uri("/assets/missing.js").exchange().expectStatus().isNotFound();
      client.post().uri("/api/v1/agents").contentType(MediaType.APPLICATION_JSON).bodyValue("{\"name\":")
          .exchange().expectStatus().isBadRequest();
      client.post().uri("/api/v1/agents").contentType(MediaType.TEXT_PLAIN).bodyValue("x")
          .exchange().expectStatus().isEqualTo(415);
    }
  }
}
