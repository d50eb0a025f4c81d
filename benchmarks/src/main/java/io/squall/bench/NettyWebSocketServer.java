package io.squall.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.http.websocketx.extensions.compression.WebSocketServerCompressionHandler;
import java.util.concurrent.TimeUnit;

/**
 * The peer: the websocket endpoints of {@link WsEndpoints} on Netty 4.2, on exactly one NIO event
 * loop thread that accepts and serves (as {@link NettyHttpServer}); TCP_NODELAY on.
 *
 * <p>Each connection starts as {@link HttpServerCodec} + {@link HttpObjectAggregator} (64 KiB) +
 * a router that looks at the first request's path and installs, in place of itself, {@link
 * WebSocketServerProtocolHandler} for that path (Netty's handshake; it answers pings and the close
 * handshake, validates UTF-8, and replaces the HTTP codec and the aggregator by the websocket
 * frame codec once upgraded) and the endpoint's handler; on {@code /echo-deflate} {@link
 * WebSocketServerCompressionHandler} goes before it (Netty's default permessage-deflate
 * parameters) and RSV bits are allowed. Frames up to 10 MiB, Squall's message limit (Netty's
 * default is 64 KiB). Any other path is a 404.
 *
 * <p>Echo: each frame is written back as it came, flushed once per read batch, reading paused
 * while the channel is not writable (as {@link NettyEchoServer}). Broadcast: members in a {@link
 * ChannelGroup}, joined once the handshake is complete; {@code group.writeAndFlush} shares one
 * frame buffer among them (Netty's idiom).
 *
 * <p>{@code java -jar squall-benchmarks.jar netty-ws PORT [ADDRESS]}
 */
public final class NettyWebSocketServer {
  private NettyWebSocketServer() {}

  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
    String address = args.length > 1 ? args[1] : "127.0.0.1";
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      ChannelGroup members = new DefaultChannelGroup("broadcast", group.next());
      ServerBootstrap bootstrap =
          new ServerBootstrap()
              .group(group)
              .channel(NioServerSocketChannel.class)
              .option(ChannelOption.SO_BACKLOG, 1024)
              .option(ChannelOption.SO_REUSEADDR, true)
              .childOption(ChannelOption.TCP_NODELAY, true)
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      ch.pipeline().addLast("codec", new HttpServerCodec());
                      ch.pipeline().addLast("aggregator", new HttpObjectAggregator(65536));
                      ch.pipeline().addLast("router", new Router(members));
                    }
                  });
      Channel server = bootstrap.bind(address, port).sync().channel();
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
                    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
                  },
                  "netty-ws-shutdown"));
      System.out.println("netty-ws listening on " + address + ":" + port);
      System.out.flush();
      server.closeFuture().sync();
    } finally {
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    }
  }

  /** Installs the websocket handlers for the first request's path, then steps aside. */
  static final class Router extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final ChannelGroup members;

    Router(ChannelGroup members) {
      super(false); // the request goes on to the handshake, which releases it
      this.members = members;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      String path = WsEndpoints.path(request.uri());
      ChannelPipeline p = ctx.pipeline();
      switch (path) {
        case WsEndpoints.ECHO -> {
          p.addLast("ws", protocol(path, false));
          p.addLast("echo", EchoHandler.INSTANCE);
        }
        case WsEndpoints.ECHO_DEFLATE -> {
          p.addLast("deflate", new WebSocketServerCompressionHandler());
          p.addLast("ws", protocol(path, true));
          p.addLast("echo", EchoHandler.INSTANCE);
        }
        case WsEndpoints.BROADCAST -> {
          p.addLast("ws", protocol(path, false));
          p.addLast("broadcast", new BroadcastHandler(members));
        }
        default -> {
          request.release();
          FullHttpResponse notFound =
              new DefaultFullHttpResponse(
                  HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_FOUND, Unpooled.EMPTY_BUFFER);
          notFound.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
          notFound.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
          ctx.writeAndFlush(notFound).addListener(ChannelFutureListener.CLOSE);
          return;
        }
      }
      ctx.fireChannelRead(request);
      p.remove(this);
    }

    private static WebSocketServerProtocolHandler protocol(String path, boolean extensions) {
      return new WebSocketServerProtocolHandler(
          WebSocketServerProtocolConfig.newBuilder()
              .websocketPath(path)
              .allowExtensions(extensions)
              .maxFramePayloadLength(WsEndpoints.MAX_MESSAGE)
              .build());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  /** Writes each frame back; one flush per read batch; pauses reading while the channel is full. */
  @ChannelHandler.Sharable
  static final class EchoHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
    static final EchoHandler INSTANCE = new EchoHandler();

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
      ctx.write(frame.retain(), ctx.voidPromise());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      ctx.flush();
      if (!ctx.channel().isWritable()) {
        ctx.channel().config().setAutoRead(false);
      }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (ctx.channel().isWritable()) {
        ctx.channel().config().setAutoRead(true);
      }
      ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  /** Joins the group once upgraded; {@code "?"} answers its size; other frames go to all. */
  static final class BroadcastHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
    private final ChannelGroup members;

    BroadcastHandler(ChannelGroup members) {
      this.members = members;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
      if (event instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
        members.add(ctx.channel()); // the group forgets a channel when it closes
      }
      super.userEventTriggered(ctx, event);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
      if (frame instanceof TextWebSocketFrame text
          && text.isFinalFragment()
          && text.content().readableBytes() == 1
          && text.text().equals(WsEndpoints.COUNT)) {
        ctx.writeAndFlush(new TextWebSocketFrame(Integer.toString(members.size())));
        return;
      }
      members.writeAndFlush(frame.retain()); // one retained duplicate per member
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
