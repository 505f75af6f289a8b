package dev.orca.gateway.web;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Gives a JSON error body and the security headers to the error answers that never pass through
 * Spring: Reactor Netty answers a request its HTTP decoder could not read (414 for a request
 * line over 4 KiB, 431 for headers over 8 KiB, 400 for anything malformed) itself, and Spring's
 * HTTP adapter answers 400 to a URI it cannot parse; both send an empty body.
 *
 * <p>It sits in the channel pipeline right after the HTTP codec and rewrites, on their way out,
 * complete error responses that have neither body nor Content-Type; everything Spring answers
 * has a Content-Type and passes untouched. Rewriting on the way out rather than answering
 * decoder failures on the way in keeps Reactor Netty's own handling (pipelined requests,
 * closing the connection, logging) as it is. Verified against Reactor Netty 1.3.
 */
@ChannelHandler.Sharable
final class NettyErrorBodies extends ChannelOutboundHandlerAdapter {

  static final String NAME = "orca.errorBodies";

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof FullHttpResponse response && response.status().code() >= 400
        && !response.content().isReadable() && !response.headers().contains(HttpHeaderNames.CONTENT_TYPE)) {
      byte[] body = ("{\"error\":\"" + message(response.status()) + "\"}").getBytes(StandardCharsets.UTF_8);
      FullHttpResponse withBody = response.replace(Unpooled.wrappedBuffer(body));
      response.release();
      withBody.headers()
          .remove(HttpHeaderNames.TRANSFER_ENCODING)
          .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
          .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
      SecurityHeaders.VALUES.forEach(withBody.headers()::set);
      ctx.write(withBody, promise);
      return;
    }
    ctx.write(msg, promise);
  }

  /** Constant text only: it is written into JSON as it is. */
  static String message(HttpResponseStatus status) {
    return switch (status.code()) {
      case 400 -> "malformed HTTP request";
      case 413 -> "request is too large";
      case 414 -> "request URI is too long";
      case 431 -> "request header fields are too large";
      default -> status.reasonPhrase().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9 -]", "");
    };
  }
}
