package dev.orca.gateway.backup;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * The sealed envelope of an export: the document gzipped and encrypted with AES-256-GCM under a
 * key derived from a passphrase by argon2id. Layout: {@code ORCA-EXP}, format byte, argon2id
 * memory (KiB), passes and lanes (ints), 16 bytes of salt, 12 bytes of nonce, then the ciphertext
 * and its tag; everything before the ciphertext is authenticated with it, so the parameters
 * cannot be changed unnoticed. The file says nothing readable but that it is an Orca export.
 */
public final class BackupFile {

  /** At least this many characters: the file may travel anywhere, and only the passphrase guards it. */
  public static final int MIN_PASSPHRASE_LENGTH = 12;
  private static final byte[] MAGIC = "ORCA-EXP".getBytes(StandardCharsets.US_ASCII);
  private static final byte FORMAT = 1;
  private static final int SALT = 16;
  private static final int NONCE = 12;
  private static final int HEADER = MAGIC.length + 1 + 3 * Integer.BYTES + SALT + NONCE;
  /** argon2id with 64 MiB and 3 passes: about a third of a second here, per guess. */
  private static final int MEMORY_KIB = 64 * 1024;
  private static final int PASSES = 3;
  private static final int LANES = 1;
  /** What a file may ask of the machine reading it: a crafted header must not exhaust it. */
  private static final int MAX_MEMORY_KIB = 256 * 1024;
  private static final int MAX_PASSES = 10;
  private static final int MAX_LANES = 8;
  /** The largest document a file may unpack to. */
  static final long MAX_DOCUMENT_BYTES = 1L << 30;
  private static final SecureRandom RANDOM = new SecureRandom();

  private BackupFile() {}

  /** A file that is not an export, not of this format, or does not open with the passphrase given. */
  public static final class UnreadableException extends RuntimeException {
    UnreadableException(String message) {
      super(message);
    }
  }

  /** Refuses a passphrase too short to guard the file (with why). */
  public static void checkPassphrase(char[] passphrase) {
    if (passphrase == null || passphrase.length < MIN_PASSPHRASE_LENGTH) {
      throw new IllegalArgumentException("the passphrase must have at least " + MIN_PASSPHRASE_LENGTH + " characters");
    }
  }

  public static byte[] seal(byte[] document, char[] passphrase) {
    checkPassphrase(passphrase);
    byte[] salt = new byte[SALT];
    byte[] nonce = new byte[NONCE];
    RANDOM.nextBytes(salt);
    RANDOM.nextBytes(nonce);
    ByteBuffer header = ByteBuffer.allocate(HEADER).put(MAGIC).put(FORMAT).putInt(MEMORY_KIB).putInt(PASSES)
        .putInt(LANES).put(salt).put(nonce);
    byte[] key = derive(passphrase, salt, MEMORY_KIB, PASSES, LANES);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
      cipher.updateAAD(header.array());
      byte[] sealed = cipher.doFinal(gzip(document));
      return ByteBuffer.allocate(HEADER + sealed.length).put(header.array()).put(sealed).array();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot encrypt the export: " + e.getMessage(), e);
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  public static byte[] open(byte[] file, char[] passphrase) {
    if (file.length > MAX_DOCUMENT_BYTES) {
      throw new UnreadableException("the file is larger than any export (" + (MAX_DOCUMENT_BYTES >> 20) + " MiB)");
    }
    if (file.length < MAGIC.length || !Arrays.equals(Arrays.copyOf(file, MAGIC.length), MAGIC)) {
      throw new UnreadableException("this is not an Orca export file");
    }
    if (file.length < HEADER + 16) {
      throw new UnreadableException("the export file is cut short");
    }
    ByteBuffer in = ByteBuffer.wrap(file);
    in.position(MAGIC.length);
    byte format = in.get();
    if (format != FORMAT) {
      throw new UnreadableException("the export file has format " + format + ", which this Orca does not read: import it"
          + " with the Orca version that made it, or a newer one");
    }
    int memory = in.getInt();
    int passes = in.getInt();
    int lanes = in.getInt();
    if (memory < 8 || memory > MAX_MEMORY_KIB || passes < 1 || passes > MAX_PASSES || lanes < 1 || lanes > MAX_LANES) {
      throw new UnreadableException("the export file's key parameters are out of range: the file is damaged");
    }
    byte[] salt = new byte[SALT];
    byte[] nonce = new byte[NONCE];
    in.get(salt).get(nonce);
    byte[] key = derive(passphrase, salt, memory, passes, lanes);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
      cipher.updateAAD(file, 0, HEADER);
      return gunzip(cipher.doFinal(file, HEADER, file.length - HEADER));
    } catch (AEADBadTagException e) {
      throw new UnreadableException("the passphrase does not open this export file (or the file was changed)");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot decrypt the export: " + e.getMessage(), e);
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  private static byte[] derive(char[] passphrase, byte[] salt, int memoryKib, int passes, int lanes) {
    Argon2BytesGenerator generator = new Argon2BytesGenerator();
    generator.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
        .withVersion(Argon2Parameters.ARGON2_VERSION_13)
        .withMemoryAsKB(memoryKib).withIterations(passes).withParallelism(lanes).withSalt(salt).build());
    byte[] key = new byte[32];
    java.nio.ByteBuffer encoded = StandardCharsets.UTF_8.encode(java.nio.CharBuffer.wrap(passphrase));
    byte[] secret = new byte[encoded.remaining()];
    encoded.get(secret);
    try {
      generator.generateBytes(secret, key);
    } finally {
      Arrays.fill(secret, (byte) 0);
      if (encoded.hasArray()) {
        Arrays.fill(encoded.array(), (byte) 0);
      }
    }
    return key;
  }

  private static byte[] gzip(byte[] bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 4 + 64);
    try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
      zip.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static byte[] gunzip(byte[] bytes) {
    try (InputStream zip = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
      ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(bytes.length * 4L, 64L << 20));
      byte[] buffer = new byte[64 * 1024];
      long total = 0;
      for (int n; (n = zip.read(buffer)) > 0; ) {
        total += n;
        if (total > MAX_DOCUMENT_BYTES) {
          throw new UnreadableException("the export unpacks to more than " + (MAX_DOCUMENT_BYTES >> 20) + " MiB");
        }
        out.write(buffer, 0, n);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new UnreadableException("the export file's content is damaged: " + e.getMessage());
    }
  }
}
