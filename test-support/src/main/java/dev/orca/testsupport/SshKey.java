package dev.orca.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A key pair made by {@code ssh-keygen} for tests: the private key as the text a person pastes
 * into Orca, and the public key as one authorized_keys / known_hosts line ({@code type base64}).
 */
public record SshKey(String privateKey, String publicKey) {

  /** An Ed25519 key in OpenSSH's format ({@code BEGIN OPENSSH PRIVATE KEY}), the default of ssh-keygen. */
  public static SshKey ed25519() {
    return generate("-t", "ed25519");
  }

  /** An RSA key in the PEM format ({@code BEGIN RSA PRIVATE KEY}). */
  public static SshKey rsaPem() {
    return generate("-t", "rsa", "-b", "2048", "-m", "PEM");
  }

  /** An ECDSA P-256 key in the PEM format ({@code BEGIN EC PRIVATE KEY}). */
  public static SshKey ecdsaPem() {
    return generate("-t", "ecdsa", "-b", "256", "-m", "PEM");
  }

  /** An Ed25519 key encrypted with a passphrase. */
  public static SshKey ed25519WithPassphrase(String passphrase) {
    return generateWithPassphrase(passphrase, "-t", "ed25519");
  }

  /** The public key's type and data, without the comment. */
  public String publicKeyEntry() {
    String[] parts = publicKey.trim().split("\\s+");
    return parts[0] + " " + parts[1];
  }

  static SshKey generate(String... options) {
    return generateWithPassphrase("", options);
  }

  /** ssh-keygen writes the pair into {@code dir}; the files stay there (a host key is used from disk). */
  static SshKey generateInto(Path file, String passphrase, String... options) {
    List<String> command = new ArrayList<>(List.of("ssh-keygen", "-q", "-N", passphrase, "-C", "orca-test", "-f",
        file.toString()));
    command.addAll(List.of(options));
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes());
      if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
        process.destroyForcibly();
        throw new IllegalStateException("ssh-keygen " + String.join(" ", options) + " failed: " + output);
      }
      return new SshKey(Files.readString(file), Files.readString(Path.of(file + ".pub")).trim());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run ssh-keygen (is openssh-client installed?)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running ssh-keygen", e);
    }
  }

  private static SshKey generateWithPassphrase(String passphrase, String... options) {
    Path dir = null;
    try {
      dir = Files.createTempDirectory("orca-ssh-key");
      return generateInto(dir.resolve("key"), passphrase, options);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (dir != null) {
        TempDirs.delete(dir);
      }
    }
  }
}
