package dev.orca.gateway.notification;

import dev.orca.git.EgressPolicy;
import dev.orca.git.EgressRefusedException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import javax.net.SocketFactory;

/**
 * Sockets for the mail library that connect only where the egress policy allows: the name is
 * resolved here, each address checked, and the socket connected to a checked address, so a name
 * that resolves elsewhere the second time (DNS rebinding) gains nothing. For SMTPS and STARTTLS the
 * mail library layers the JDK's TLS over such a socket, with the host name for certificate checks.
 */
final class CheckedSockets {

  private CheckedSockets() {}

  static Socket connect(EgressPolicy egress, String host, int port, int timeoutMillis) throws IOException {
    InetAddress[] addresses;
    try {
      addresses = InetAddress.getAllByName(host);
    } catch (UnknownHostException e) {
      throw new IOException("unknown host " + host, e);
    }
    IOException last = null;
    for (InetAddress address : addresses) {
      try {
        egress.check(address, host);
      } catch (EgressRefusedException e) {
        last = new IOException(e.getMessage(), e);
        continue;
      }
      Socket socket = new Socket();
      try {
        socket.connect(new InetSocketAddress(address, port), timeoutMillis);
        socket.setSoTimeout(timeoutMillis);
        return socket;
      } catch (IOException e) {
        socket.close();
        last = e;
      }
    }
    throw last != null ? last : new IOException("no address for " + host);
  }

  /**
   * An unconnected socket (what the mail library asks for when it sets a connect timeout) that
   * connects only to the address it was given once that address passed the policy: the address is
   * resolved once, when the library builds it, and that very address is checked and connected.
   */
  static final class CheckedSocket extends Socket {
    private final EgressPolicy egress;

    CheckedSocket(EgressPolicy egress) {
      this.egress = egress;
    }

    @Override
    public void connect(SocketAddress endpoint, int timeout) throws IOException {
      if (!(endpoint instanceof InetSocketAddress target)) {
        throw new IOException("unsupported address " + endpoint);
      }
      InetAddress address = target.isUnresolved() ? InetAddress.getByName(target.getHostString()) : target.getAddress();
      try {
        egress.check(address, target.getHostString());
      } catch (EgressRefusedException e) {
        throw new IOException(e.getMessage(), e);
      }
      super.connect(new InetSocketAddress(address, target.getPort()), timeout);
    }
  }

  /** Plain sockets (SMTP, then STARTTLS over them). */
  static final class Plain extends SocketFactory {
    private final EgressPolicy egress;
    private final int timeoutMillis;

    Plain(EgressPolicy egress, int timeoutMillis) {
      this.egress = egress;
      this.timeoutMillis = timeoutMillis;
    }

    @Override
    public Socket createSocket() {
      return new CheckedSocket(egress);
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
      return connect(egress, host, port, timeoutMillis);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
      return connect(egress, host, port, timeoutMillis);
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
      return connect(egress, host.getHostAddress(), port, timeoutMillis);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
      return connect(egress, address.getHostAddress(), port, timeoutMillis);
    }
  }
}
