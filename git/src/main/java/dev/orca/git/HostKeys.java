package dev.orca.git;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.stream.Collectors;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.client.config.hosts.KnownHostHashValue;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.sshd.ServerKeyDatabase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host key check of one ssh call, as {@link SshHosts} describes it: the operator's file wins
 * for the hosts it lists; any other host is pinned on first use and must keep its key. A refused
 * key is never accepted silently: {@link #refusal} says why, naming the host, both fingerprints
 * and the file to edit, and the call fails with that message.
 */
final class HostKeys implements ServerKeyDatabase {

  private static final Logger log = LoggerFactory.getLogger(HostKeys.class);

  /** One lock per pinned file in this JVM (a gateway and a sync-stream may share one); a file lock for other processes. */
  private static final ConcurrentMap<Path, Object> PIN_LOCKS = new ConcurrentHashMap<>();

  private static final String REVOKED = "revoked";

  private final SshHosts hosts;
  private volatile String refusal;

  HostKeys(SshHosts hosts) {
    this.hosts = hosts;
  }

  /** Why the server's key was refused, or null when it was not. */
  String refusal() {
    return refusal;
  }

  /** The keys known for the host, so that the client asks the server for a key of a known type first. */
  @Override
  public List<PublicKey> lookup(String connectAddress, InetSocketAddress remoteAddress, Configuration config) {
    Endpoint endpoint = Endpoint.parse(connectAddress);
    try {
      List<KnownHostEntry> known = hosts.knownHosts() == null ? List.of()
          : usable(matching(parse(Files.readString(hosts.knownHosts())), endpoint));
      if (known.isEmpty()) {
        known = usable(matching(parse(readIfExists(hosts.pinned())), endpoint));
      }
      List<PublicKey> keys = new ArrayList<>();
      for (KnownHostEntry entry : known) {
        PublicKey key = entry.getKeyEntry().resolvePublicKey(null, Map.of(), PublicKeyEntryResolver.IGNORING);
        if (key != null) {
          keys.add(key);
        }
      }
      return keys;
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      return List.of(); // accept() reads the files again and reports what is wrong with them
    }
  }

  @Override
  public boolean accept(String connectAddress, InetSocketAddress remoteAddress, PublicKey serverKey,
      Configuration config, CredentialsProvider provider) {
    Endpoint endpoint = Endpoint.parse(connectAddress);
    byte[] presented;
    try {
      presented = wireBytes(serverKey);
    } catch (RuntimeException e) {
      return refuse("the ssh host key of " + endpoint + " is of a type Orca cannot check (" + serverKey.getAlgorithm() + ")");
    }
    Path given = hosts.knownHosts();
    if (given != null) {
      List<KnownHostEntry> listed;
      try {
        listed = matching(parse(Files.readString(given)), endpoint);
      } catch (IOException | RuntimeException e) {
        return refuse("cannot read the known hosts file " + given + " (" + SshHosts.KNOWN_HOSTS_VARIABLE + "): "
            + describe(e));
      }
      if (isRevoked(listed, presented)) {
        return refuse("the ssh host key " + fingerprint(presented) + " of " + endpoint + " is marked @revoked in "
            + given + " (" + SshHosts.KNOWN_HOSTS_VARIABLE + ")");
      }
      List<KnownHostEntry> keys = usable(listed);
      if (!keys.isEmpty()) {
        if (contains(keys, presented)) {
          return true;
        }
        return refuse("the ssh host key of " + endpoint + " does not match " + given + " ("
            + SshHosts.KNOWN_HOSTS_VARIABLE + "): it lists " + fingerprints(keys) + ", the server presented "
            + fingerprint(presented) + ". This can be an attack; if the server's key was replaced on purpose, "
            + "put its new key on the line of " + endpoint + " in " + given);
      }
    }
    return checkOrPin(endpoint, serverKey, presented);
  }

  private boolean checkOrPin(Endpoint endpoint, PublicKey serverKey, byte[] presented) {
    Path file = hosts.pinned();
    synchronized (PIN_LOCKS.computeIfAbsent(file, f -> new Object())) {
      try {
        Files.createDirectories(file.getParent());
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE);
            FileLock lock = channel.lock()) {
          String text = read(channel);
          List<KnownHostEntry> listed = matching(parse(text), endpoint);
          if (isRevoked(listed, presented)) {
            return refuse("the ssh host key " + fingerprint(presented) + " of " + endpoint + " is marked @revoked in "
                + file);
          }
          List<KnownHostEntry> pinned = usable(listed);
          if (!pinned.isEmpty()) {
            if (contains(pinned, presented)) {
              return true;
            }
            return refuse("the ssh host key of " + endpoint + " has changed: Orca pinned " + fingerprints(pinned)
                + " on its first connection, the server now presents " + fingerprint(presented)
                + ". This can be an attack; if the server's key was replaced on purpose, remove the line of "
                + endpoint + " from " + file + " (or list the host in " + SshHosts.KNOWN_HOSTS_VARIABLE
                + ") and connect again");
          }
          String line = KnownHostHashValue.createHostPattern(endpoint.host(), endpoint.port()) + " "
              + PublicKeyEntry.toString(serverKey) + "\n";
          String separator = text.isEmpty() || text.endsWith("\n") ? "" : "\n";
          channel.write(ByteBuffer.wrap((separator + line).getBytes(StandardCharsets.UTF_8)), channel.size());
          channel.force(false);
          log.info("Pinned the ssh host key {} of {} in {}", fingerprint(presented), endpoint, file);
          return true;
        }
      } catch (IOException | RuntimeException e) {
        return refuse("cannot check the ssh host key of " + endpoint + " against " + file + ": " + describe(e));
      }
    }
  }

  private boolean refuse(String why) {
    refusal = why;
    log.warn("Refused an ssh host key: {}", why);
    return false;
  }

  private static String read(FileChannel channel) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate((int) channel.size());
    while (buffer.hasRemaining() && channel.read(buffer, buffer.position()) > 0) {
      // reads until the buffer holds the whole file
    }
    return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
  }

  private static String readIfExists(Path file) throws IOException {
    try {
      return Files.readString(file);
    } catch (NoSuchFileException e) {
      return "";
    }
  }

  private static List<KnownHostEntry> parse(String text) throws IOException {
    return KnownHostEntry.readKnownHostEntries(new BufferedReader(new StringReader(text)));
  }

  /** The entries naming the host (by name, pattern or hash), certificate authorities left out. */
  private static List<KnownHostEntry> matching(List<KnownHostEntry> entries, Endpoint endpoint) {
    List<KnownHostEntry> result = new ArrayList<>();
    for (KnownHostEntry entry : entries) {
      String marker = entry.getMarker();
      boolean supported = marker == null || marker.isEmpty() || REVOKED.equals(marker);
      if (supported && entry.getKeyEntry() != null && entry.isHostMatch(endpoint.host(), endpoint.port())) {
        result.add(entry);
      }
    }
    return result;
  }

  private static List<KnownHostEntry> usable(List<KnownHostEntry> entries) {
    return entries.stream().filter(e -> e.getMarker() == null || e.getMarker().isEmpty()).toList();
  }

  private static boolean isRevoked(List<KnownHostEntry> entries, byte[] presented) {
    return entries.stream().anyMatch(e -> REVOKED.equals(e.getMarker()) && sameKey(e.getKeyEntry(), presented));
  }

  private static boolean contains(List<KnownHostEntry> entries, byte[] presented) {
    return entries.stream().anyMatch(e -> sameKey(e.getKeyEntry(), presented));
  }

  private static boolean sameKey(AuthorizedKeyEntry entry, byte[] presented) {
    return Arrays.equals(entry.getKeyData(), presented);
  }

  /** The key as the ssh protocol and known_hosts encode it. */
  private static byte[] wireBytes(PublicKey key) {
    String line = PublicKeyEntry.toString(key);
    return Base64.getDecoder().decode(line.substring(line.indexOf(' ') + 1).trim());
  }

  private static String fingerprints(List<KnownHostEntry> entries) {
    return entries.stream().map(e -> fingerprint(e.getKeyEntry().getKeyData())).distinct()
        .collect(Collectors.joining(" or "));
  }

  /** The fingerprint as {@code ssh-keygen -l} and {@code ssh} show it. */
  static String fingerprint(byte[] wireBytes) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(wireBytes);
      return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  private static String describe(Exception e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  /** A host and port as known_hosts writes them: {@code host} for port 22, else {@code [host]:port}. */
  record Endpoint(String host, int port) {
    static Endpoint parse(String connectAddress) {
      if (connectAddress.startsWith("[")) {
        int close = connectAddress.indexOf("]:");
        if (close > 0) {
          return new Endpoint(connectAddress.substring(1, close), Integer.parseInt(connectAddress.substring(close + 2)));
        }
        return new Endpoint(connectAddress.substring(1, connectAddress.length() - 1), 22);
      }
      return new Endpoint(connectAddress, 22);
    }

    @Override
    public String toString() {
      return KnownHostHashValue.createHostPattern(host, port);
    }
  }
}
