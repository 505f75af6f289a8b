package dev.orca.gateway.web;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection whose request head (request line and headers) is not whole within its limit
 * of the head's first byte. Reactor Netty's read and request timeouts start only once the head is
 * in, and its idle timeout restarts at every byte, so without this a client trickling a byte a
 * minute held a connection for days. A connection waiting for its next request, sending nothing,
 * is left to the idle timeout.
 *
 * <p>Two handlers per connection share the timer: one before the HTTP codec sees the bytes come
 * in, one after it sees the head decoded and the answer go out.
 */
final class RequestHeadTimeout {

  static final String BYTES = "orca.requestHeadTimeout.bytes";
  static final String HEADS = "orca.requestHeadTimeout.heads";

  private final long limitMillis;
  private ChannelHandlerContext context;
  private ScheduledFuture<?> timer;
  /**
   * Between the end of an exchange (or the connection's start) and the next request's decoded
   * head: the request read to its end and its answer written. Bytes of a body still coming after
   * an early answer (a 401 before the body was read) are not a next head.
   */
  private boolean awaitingHead = true;
  private boolean requestRead = true;
  private boolean answered = true;

  private RequestHeadTimeout(Duration limit) {
    this.limitMillis = limit.toMillis();
  }

  /** Adds the pair around {@code codec} in {@code pipeline}. */
  static void install(ChannelPipeline pipeline, String codec, Duration limit) {
    RequestHeadTimeout timeout = new RequestHeadTimeout(limit);
    pipeline.addBefore(codec, BYTES, timeout.new Bytes());
    pipeline.addAfter(codec, HEADS, timeout.new Heads());
  }

  /** Before the codec: the first bytes of a head start the timer. */
  private final class Bytes extends ChannelInboundHandlerAdapter {

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      context = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (awaitingHead && timer == null && msg instanceof ByteBuf bytes && bytes.isReadable()) {
        timer = ctx.executor().schedule(() -> {
          ctx.close();
        }, limitMillis, TimeUnit.MILLISECONDS);
      }
      ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      disarm();
      ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
      disarm();
    }
  }

  /** After the codec: a decoded head stops the timer; a finished answer awaits the next head. */
  private final class Heads extends ChannelDuplexHandler {

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof HttpRequest) {
        awaitingHead = false;
        requestRead = false;
        answered = false;
        disarm();
      }
      if (msg instanceof LastHttpContent) {
        requestRead = true;
        awaitingHead = answered;
      }
      ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      if (msg instanceof LastHttpContent) {
        promise.addListener(done -> context.executor().execute(() -> {
          answered = true;
          awaitingHead = requestRead;
        }));
      }
      ctx.write(msg, promise);
    }
  }

  private void disarm() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }
}
