package io.squall.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.util.concurrent.TimeUnit;

/**
 * The peer: a raw Netty 4.2 echo server on exactly one NIO event loop thread, which both accepts
 * and serves every connection. It writes back whatever it reads, flushing once per read batch
 * (Netty's idiom), with TCP_NODELAY on. Flow control: while a channel's outbound buffer is above
 * its high water mark, reading from that channel is paused, so a slow reader cannot make the
 * server buffer without bound (Squall's read-after-write loop has the same property).
 *
 * <p>{@code java -jar squall-benchmarks.jar netty-echo PORT [ADDRESS]}
 */
public final class NettyEchoServer {
  private NettyEchoServer() {}

  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 8081;
    String address = args.length > 1 ? args[1] : "127.0.0.1";
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      ServerBootstrap bootstrap =
          new ServerBootstrap()
              .group(group)
              .channel(NioServerSocketChannel.class)
              .option(ChannelOption.SO_BACKLOG, 1024)
              .option(ChannelOption.SO_REUSEADDR, true)
              .childOption(ChannelOption.TCP_NODELAY, true)
              .childHandler(EchoHandler.INSTANCE);
      Channel server = bootstrap.bind(address, port).sync().channel();
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
                    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
                  },
                  "netty-echo-shutdown"));
      System.out.println("netty-echo listening on " + address + ":" + port);
      System.out.flush();
      server.closeFuture().sync();
    } finally {
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    }
  }

  /** Echoes reads back; one flush per read batch; pauses reading while the channel is full. */
  @ChannelHandler.Sharable
  static final class EchoHandler extends ChannelInboundHandlerAdapter {
    static final EchoHandler INSTANCE = new EchoHandler();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ctx.write(msg, ctx.voidPromise());
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
}
