package io.squall.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.TimeUnit;

/**
 * The peer: the hello server on Netty 4.2, {@link HttpServerCodec} and one handler answering both
 * paths, on exactly one NIO event loop thread that accepts and serves every connection. As in
 * Netty's own HTTP hello example, each response is written when its request is decoded and the
 * channel is flushed once per read batch ({@code channelReadComplete}), so the answers to a batch of
 * pipelined requests leave in one write. {@code Date} is formatted once a second on the loop (as
 * Squall and Jetty cache theirs); TCP_NODELAY on.
 *
 * <p>{@code java -jar squall-benchmarks.jar netty-http PORT [ADDRESS]}
 */
public final class NettyHttpServer {
  private NettyHttpServer() {}

  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
    String address = args.length > 1 ? args[1] : "127.0.0.1";
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      HelloHandler.updateDate();
      group.scheduleAtFixedRate(HelloHandler::updateDate, 1, 1, TimeUnit.SECONDS);
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
                      ch.pipeline().addLast("hello", new HelloHandler());
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
                  "netty-http-shutdown"));
      System.out.println("netty-http listening on " + address + ":" + port);
      System.out.flush();
      server.closeFuture().sync();
    } finally {
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    }
  }

  /** Writes an answer per request; flushes once per read batch. */
  static final class HelloHandler extends SimpleChannelInboundHandler<HttpObject> {
    private static final ByteBuf PLAINTEXT =
        Unpooled.unreleasableBuffer(
            Unpooled.directBuffer(Hello.PLAINTEXT.length).writeBytes(Hello.PLAINTEXT));
    private static final AsciiString PLAINTEXT_TYPE = AsciiString.cached(Hello.PLAINTEXT_TYPE);
    private static final AsciiString JSON_TYPE = AsciiString.cached(Hello.JSON_TYPE);
    private static final AsciiString PLAINTEXT_LENGTH =
        AsciiString.cached(Integer.toString(Hello.PLAINTEXT.length));
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME;
    private static volatile AsciiString date;

    static void updateDate() {
      date = new AsciiString(HTTP_DATE.format(ZonedDateTime.now(ZoneOffset.UTC)));
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
      if (!(msg instanceof HttpRequest request)) {
        return; // the (empty) body of a GET
      }
      String path = Hello.path(request.uri());
      FullHttpResponse response;
      if (Hello.PLAINTEXT_PATH.equals(path)) {
        response = respond(HttpResponseStatus.OK, PLAINTEXT.duplicate(), PLAINTEXT_TYPE);
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, PLAINTEXT_LENGTH);
      } else if (Hello.JSON_PATH.equals(path)) {
        byte[] body = Hello.json(Hello.MESSAGE);
        response = respond(HttpResponseStatus.OK, Unpooled.wrappedBuffer(body), JSON_TYPE);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
      } else {
        response = respond(HttpResponseStatus.NOT_FOUND, Unpooled.EMPTY_BUFFER, null);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
      }
      if (HttpUtil.isKeepAlive(request)) {
        if (!request.protocolVersion().isKeepAliveDefault()) {
          response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        ctx.write(response, ctx.voidPromise());
      } else {
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.write(response).addListener(ChannelFutureListener.CLOSE);
      }
    }

    private static FullHttpResponse respond(
        HttpResponseStatus status, ByteBuf content, AsciiString type) {
      FullHttpResponse response =
          new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
      HttpHeaders headers = response.headers();
      if (type != null) {
        headers.set(HttpHeaderNames.CONTENT_TYPE, type);
      }
      headers.set(HttpHeaderNames.DATE, date);
      return response;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
