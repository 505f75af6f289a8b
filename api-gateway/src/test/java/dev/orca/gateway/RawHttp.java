package dev.orca.gateway;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, for requests no client library sends as written: raw control
 * characters, {@code ..} segments, request lines and headers over the server's limits. Sends
 * {@code Connection: close} and reads until the server closes, within a deadline.
 */
public final class RawHttp {

  private RawHttp() {}

  /**
   * One answer: status, headers with lower-case names, and the body as text (UTF-8), or, for an
   * encoded (compressed) body, one char per byte: see {@link #bodyBytes()}.
   */
  public record Response(int status, Map<String, String> headers, String body) {
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /** The body's bytes as they came (after de-chunking), for bodies that are not text. */
    public byte[] bodyBytes() {
      return body.getBytes(StandardCharsets.ISO_8859_1);
    }
  }

  /** {@code method target HTTP/1.1} with a Host header, the extra header lines given, and no body. */
  public static Response send(int port, String method, String target, String... headerLines) {
    return sendWithBody(port, method, target, null, headerLines);
  }

  /** As {@link #send(int, String, String, String...)}, with a UTF-8 body and its Content-Length. */
  public static Response sendWithBody(int port, String method, String target, String body, String... headerLines) {
    byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    StringBuilder request = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n")
        .append("Host: 127.0.0.1:").append(port).append("\r\n");
    for (String line : headerLines) {
      request.append(line).append("\r\n");
    }
    if (body != null) {
      request.append("Content-Length: ").append(content.length).append("\r\n");
    }
    request.append("Connection: close\r\n\r\n");
    byte[] head = request.toString().getBytes(StandardCharsets.ISO_8859_1);
    byte[] whole = new byte[head.length + content.length];
    System.arraycopy(head, 0, whole, 0, head.length);
    System.arraycopy(content, 0, whole, head.length, content.length);
    return exchange(port, whole, Duration.ofSeconds(10));
  }

  /** Exactly these bytes; the answer once the server has closed the connection. */
  public static Response exchange(int port, byte[] request, Duration deadline) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), (int) deadline.toMillis());
      socket.setSoTimeout((int) deadline.toMillis());
      socket.getOutputStream().write(request);
      socket.getOutputStream().flush();
      byte[] answer = readAll(socket.getInputStream());
      try {
        return parse(answer);
      } catch (RuntimeException e) {
        throw new IllegalStateException("not an HTTP answer: " + new String(answer, StandardCharsets.ISO_8859_1), e);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] chunk = new byte[8192];
    for (int n = in.read(chunk); n != -1; n = in.read(chunk)) {
      out.write(chunk, 0, n);
    }
    return out.toByteArray();
  }

  private static Response parse(byte[] bytes) {
    // One char per byte while framing, so chunk sizes count bytes; the body is UTF-8.
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    String[] lines = text.substring(0, end).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
    }
    String body = text.substring(end + 4);
    if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding")) && !body.isEmpty()) {
      body = unchunk(body);
    }
    boolean plainText = !headers.containsKey("content-encoding");
    return new Response(status, headers,
        plainText ? new String(body.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8) : body);
  }

  private static String unchunk(String chunked) {
    StringBuilder body = new StringBuilder();
    int at = 0;
    while (true) {
      int lineEnd = chunked.indexOf("\r\n", at);
      int size = Integer.parseInt(chunked.substring(at, lineEnd).split(";")[0].trim(), 16);
      if (size == 0) {
        return body.toString();
      }
      body.append(chunked, lineEnd + 2, lineEnd + 2 + size);
      at = lineEnd + 2 + size + 2;
    }
  }
}
