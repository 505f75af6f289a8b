package dev.orca.gateway.web;

import io.netty.channel.ChannelPipeline;
import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.web.reactive.config.WebFluxConfigurer;
import reactor.netty.NettyPipeline;
import tools.jackson.databind.json.JsonMapper;

/**
 * Wires the HTTP edge into WebFlux and Reactor Netty: the JSON decoder that refuses NUL, the
 * channel handler that gives Netty's own error answers a JSON body, and the timeouts that close a
 * connection holding the server without sending a request (slow headers, a short body, idle).
 */
@Configuration(proxyBeanMethods = false)
// After Spring Boot's configurer, whose codec customizers set the plain Jackson decoder.
@Order(Ordered.LOWEST_PRECEDENCE)
class WebConfiguration implements WebFluxConfigurer {

  private final JsonMapper json;

  WebConfiguration(JsonMapper json) {
    this.json = json;
  }

  @Override
  public void configureHttpMessageCodecs(ServerCodecConfigurer configurer) {
    configurer.defaultCodecs().jacksonJsonDecoder(new NulRejectingJsonDecoder(json));
  }

  /**
   * A request's head must be whole within {@code orca.http.request-timeout} (30 s) of its first
   * byte (RequestHeadTimeout); after it, a body whose next
   * bytes take longer than {@code orca.http.read-timeout} (10 s), or that is not whole within the
   * request timeout, ends the request (408) and its connection. A kept-alive connection waits
   * {@code orca.http.idle-timeout} (75 s: longer than a proxy's usual 60 s keep-alive) for its next
   * request. Answers, server-sent events among them, are not bounded by these.
   */
  @Bean
  NettyServerCustomizer nettyTimeouts(@Value("${orca.http.read-timeout:PT10S}") Duration read,
      @Value("${orca.http.request-timeout:PT30S}") Duration request,
      @Value("${orca.http.idle-timeout:PT75S}") Duration idle) {
    return server -> server.readTimeout(read).requestTimeout(request).idleTimeout(idle)
        .doOnChannelInit((observer, channel, remoteAddress) -> {
          ChannelPipeline pipeline = channel.pipeline();
          if (pipeline.get(NettyPipeline.HttpCodec) != null) {
            RequestHeadTimeout.install(pipeline, NettyPipeline.HttpCodec, request);
          }
        });
  }

  @Bean
  NettyServerCustomizer nettyErrorBodies() {
    NettyErrorBodies handler = new NettyErrorBodies();
    return server -> server.doOnChannelInit((observer, channel, remoteAddress) -> {
      ChannelPipeline pipeline = channel.pipeline();
      if (pipeline.get(NettyPipeline.HttpCodec) != null) {
        pipeline.addAfter(NettyPipeline.HttpCodec, NettyErrorBodies.NAME, handler);
      }
    });
  }
}
