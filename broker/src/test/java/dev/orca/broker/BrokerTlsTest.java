package dev.orca.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrokerTlsTest {

  @TempDir Path dir;

  @Test
  void shouldKeepTheKeysToTheirOwnerAndLetAnyoneReadTheCertificates() throws Exception {
    Path tls = dir.resolve("kafka-tls");
    BrokerTls.loadOrCreate(tls, List.of("orca.example"));

    assertThat(mode(tls)).isEqualTo("rwx------");
    for (String secret : List.of("ca.key", "broker.key", "broker.pem")) {
      assertThat(mode(tls.resolve(secret))).as(secret).isEqualTo("rw-------");
    }
    // A broker in a container runs as a user of its own: it must be able to read the CA it trusts.
    for (String certificate : List.of("ca.crt", "broker.crt")) {
      assertThat(mode(tls.resolve(certificate))).as(certificate).isEqualTo("rw-r--r--");
    }
  }

  private static String mode(Path path) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }

  @Test
  void shouldOpenCertificatesOfAnEarlierVersionAndLeaveAnUnchangedKeyStoreAlone() throws Exception {
    Path tls = dir.resolve("kafka-tls");
    BrokerTls.loadOrCreate(tls, List.of());
    // As an earlier version left them.
    Files.setPosixFilePermissions(tls.resolve("ca.crt"), PosixFilePermissions.fromString("rw-------"));
    Files.setPosixFilePermissions(tls.resolve("broker.crt"), PosixFilePermissions.fromString("rw-------"));
    Object keyStore = Files.readAttributes(tls.resolve("broker.pem"),
        java.nio.file.attribute.BasicFileAttributes.class).fileKey();

    BrokerTls.loadOrCreate(tls, List.of());

    assertThat(mode(tls.resolve("ca.crt"))).isEqualTo("rw-r--r--");
    assertThat(mode(tls.resolve("broker.crt"))).isEqualTo("rw-r--r--");
    assertThat(Files.readAttributes(tls.resolve("broker.pem"), java.nio.file.attribute.BasicFileAttributes.class)
        .fileKey()).as("the same file (inode), not one written anew").isEqualTo(keyStore);
  }
}
