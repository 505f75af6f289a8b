package dev.orca.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orca.gateway.GatewayTestSupport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A client that opens a connection and sends its request slowly, or only in part, does not hold it
 * open: the gateway closes it (the probe saw half the headers kept 90 s, and a short body hang).
 * The gateway tests run with 8 s between reads and 12 s for a request (GatewayTestSupport);
 * production's are 10 s and 30 s. (The idle timeout between kept-alive requests is not shortened:
 * a client reusing a pooled connection as the server closes it would make other tests flaky.)
 */
class SlowClientIntegrationTest extends GatewayTestSupport {

  /** Far beyond the tests' timeouts, so only a connection that is never closed fails. */
  private static final Duration DEADLINE = Duration.ofSeconds(30);

  @Test
  void shouldCloseAConnectionThatSendsHalfItsHeaders() throws IOException {
    assertClosed("GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n", 0);
  }

  @Test
  void shouldCloseAConnectionWhoseBodyIsShorterThanItSaid() throws IOException {
    assertClosed("POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + "Content-Length: 100\r\n\r\n{\"email\":", 0);
  }

  @Test
  void shouldCloseAConnectionThatTricklesItsHeadersInTime() throws IOException {
    // A byte every 400 ms never leaves the connection idle; the request's head as a whole has 12 s.
    assertClosed("GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + "a".repeat(200), 400);
  }

  /**
   * A request answered before its body was read (401 without credentials), the rest of the body
   * sent after the answer, then a pause longer than the request timeout: the kept-alive connection
   * still serves the next request. (The head timer once took the late body bytes for a next head
   * and closed the connection under a client reusing it.)
   */
  @Test
  void shouldKeepAConnectionWhoseBodyCameAfterAnEarlyAnswer() throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout((int) DEADLINE.toMillis());
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      String body = "{\"name\":\"" + "x".repeat(2000) + "\"}";
      out.write(("POST /api/v1/agents HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          + "Content-Length: " + body.length() + "\r\n\r\n" + body.substring(0, 10)).getBytes(StandardCharsets.US_ASCII));
      out.flush();
      assertThat(readAnswer(in)).startsWith("HTTP/1.1 401");
      out.write(body.substring(10).getBytes(StandardCharsets.US_ASCII));
      out.flush();
      sleep(13_000); // past the 12 s a request head may take
      out.write("GET /api/v1/auth/setup HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      assertThat(readAnswer(in)).startsWith("HTTP/1.1 200");
    }
  }

  /** One answer: its head and, by Content-Length, its body. */
  private static String readAnswer(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b == -1) {
        throw new AssertionError("the connection closed; received: " + head);
      }
      head.append((char) b);
    }
    java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
    if (length.find()) {
      in.readNBytes(Integer.parseInt(length.group(1)));
    }
    return head.toString();
  }

  /** Sends {@code request} (a byte every {@code gapMillis}, or at once) and expects the server to close. */
  private void assertClosed(String request, long gapMillis) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout((int) DEADLINE.toMillis());
      OutputStream out = socket.getOutputStream();
      byte[] bytes = request.getBytes(StandardCharsets.US_ASCII);
      boolean closedWhileSending = false;
      if (gapMillis == 0) {
        out.write(bytes);
        out.flush();
      } else {
        long end = System.nanoTime() + DEADLINE.toNanos();
        for (int i = 0; i < bytes.length && System.nanoTime() < end; i++) {
          try {
            out.write(bytes[i]);
            out.flush();
          } catch (IOException e) {
            closedWhileSending = true; // reset by the server: closed
            break;
          }
          sleep(gapMillis);
        }
        // Reactor Netty's own timeouts start only once the head is in: this one must end it sooner.
        assertThat(closedWhileSending).as("closed while the head was still trickling in").isTrue();
      }
      if (!closedWhileSending) {
        String answer = readUntilClosed(socket.getInputStream());
        // Closed with no answer, or with Netty's own 408.
        assertThat(answer).satisfiesAnyOf(a -> assertThat(a).isEmpty(), a -> assertThat(a).startsWith("HTTP/1.1 408"));
      }
    }
    assertThat(anonymous().get().uri("/api/v1/auth/setup").exchange().returnResult(String.class).getStatus().value())
        .as("the gateway still serves").isEqualTo(200);
  }

  /** Everything the server sends until it closes; fails if it is still open at the deadline. */
  private static String readUntilClosed(InputStream in) throws IOException {
    StringBuilder text = new StringBuilder();
    byte[] buffer = new byte[4096];
    try {
      for (int n; (n = in.read(buffer)) != -1; ) {
        text.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError("the connection was still open after " + DEADLINE + "; received: " + text, e);
    } catch (java.net.SocketException e) {
      // reset by the server: closed
    }
    return text.toString();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
