package dev.orca.gateway.web;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection that has not sent a whole request head (request line and headers) within
 * its limit: armed when the connection opens and again after each answer, disarmed when a
 * request's head is decoded. Reactor Netty's read and request timeouts start only once the head
 * is in, and its idle timeout restarts at every byte, so without this a client trickling a byte
 * a minute held a connection for days. One per connection (it keeps that connection's timer).
 */
final class RequestHeadTimeout extends ChannelDuplexHandler {

  static final String NAME = "orca.requestHeadTimeout";

  private final long limitMillis;
  private ScheduledFuture<?> timer;

  RequestHeadTimeout(Duration limit) {
    this.limitMillis = limit.toMillis();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    arm(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest) {
      disarm();
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof LastHttpContent) {
      // The answer is out: the next request's head has the limit again.
      promise.addListener(done -> arm(ctx));
    }
    ctx.write(msg, promise);
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

  private void arm(ChannelHandlerContext ctx) {
    disarm();
    if (ctx.channel().isActive() || !ctx.channel().isRegistered()) {
      timer = ctx.executor().schedule(() -> {
        ctx.close();
      }, limitMillis, TimeUnit.MILLISECONDS);
    }
  }

  private void disarm() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }
}
