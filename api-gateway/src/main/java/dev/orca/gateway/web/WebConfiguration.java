package dev.orca.gateway.web;

import io.netty.channel.ChannelPipeline;
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
 * Wires the HTTP edge into WebFlux and Reactor Netty: the JSON decoder that refuses NUL, and the
 * channel handler that gives Netty's own error answers a JSON body.
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
