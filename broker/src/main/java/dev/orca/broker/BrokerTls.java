package dev.orca.broker;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's TLS material in one directory, made on first start and kept: a CA of its own
 * ({@code ca.crt}, {@code ca.key}) and the broker's certificate ({@code broker.crt},
 * {@code broker.key}, and {@code broker.pem}, key and chain together, as Kafka's PEM key store
 * reads them). The broker's certificate is its identity on the controller and inter-broker
 * listeners too (mutual TLS, principal {@link #BROKER_PRINCIPAL}), so whoever holds its key is
 * the broker's super user: the key files are 0600 in a 0700 directory.
 *
 * <p>Given material is taken as it is: put a {@code ca.crt}, {@code broker.crt} and
 * {@code broker.key} there before the first start (the broker's certificate must be issued for
 * {@code CN=orca-broker}). When the host names agents reach the broker by change, a broker
 * certificate that does not name them all is issued again from the CA, if its key is there.
 */
public final class BrokerTls {

  /** The broker's subject; its principal on the mutual-TLS listeners is this distinguished name. */
  public static final String BROKER_SUBJECT = "CN=orca-broker";
  public static final String BROKER_PRINCIPAL = "User:" + BROKER_SUBJECT;

  private static final Logger log = LoggerFactory.getLogger(BrokerTls.class);
  private static final Duration CA_LIFETIME = Duration.ofDays(3650);
  private static final Duration BROKER_LIFETIME = Duration.ofDays(825);
  private static final String SIGNATURE = "SHA256withECDSA";

  private final Path dir;
  private final String caCertificatePem;

  private BrokerTls(Path dir, String caCertificatePem) {
    this.dir = dir;
    this.caCertificatePem = caCertificatePem;
  }

  /**
   * The material in {@code dir}, made or completed as needed; the broker's certificate names
   * {@code hostNames} (host names or IP addresses) and always 127.0.0.1 and localhost.
   */
  public static BrokerTls loadOrCreate(Path dir, Collection<String> hostNames) {
    Set<String> names = new LinkedHashSet<>(List.of("127.0.0.1", "localhost"));
    hostNames.stream().filter(h -> h != null && !h.isBlank()).map(String::trim).forEach(names::add);
    try {
      Files.createDirectories(dir);
      restrict(dir, "rwx------");
      Path caCrt = dir.resolve("ca.crt");
      Path caKey = dir.resolve("ca.key");
      if (!Files.exists(caCrt)) {
        KeyPair ca = newKeyPair();
        X509Certificate caCert = selfSignedCa(ca);
        writeSecret(caKey, pem(new JcaPKCS8Generator(ca.getPrivate(), null).generate()));
        write(caCrt, pem(caCert));
        log.info("Made the broker's CA in {}", dir);
      }
      X509Certificate caCert = readCertificate(caCrt);
      Path brokerCrt = dir.resolve("broker.crt");
      Path brokerKey = dir.resolve("broker.key");
      boolean issue = !Files.exists(brokerCrt) || !Files.exists(brokerKey);
      if (!issue && !namesAll(readCertificate(brokerCrt), names)) {
        if (Files.exists(caKey)) {
          log.info("The broker's certificate does not name all of {}; issuing it again", names);
          issue = true;
        } else {
          log.warn("The broker's certificate in {} does not name all of {}, and there is no ca.key to issue another:"
              + " agents that reach the broker by another name will refuse it", dir, names);
        }
      }
      if (issue) {
        KeyPair broker = newKeyPair();
        X509Certificate cert = brokerCertificate(broker, caCert, readPrivateKey(caKey), names);
        writeSecret(brokerKey, pem(new JcaPKCS8Generator(broker.getPrivate(), null).generate()));
        write(brokerCrt, pem(cert));
        log.info("Issued the broker's certificate for {}", names);
      }
      // Certificates made by an earlier version were 0600: a broker in a container running as a
      // user of its own could not read them.
      restrict(caCrt, "rw-r--r--");
      restrict(brokerCrt, "rw-r--r--");
      // Kafka's PEM key store: the PKCS#8 key, then the chain. Written only when it changes, so an
      // owner given to it (the apache/kafka image's uid, say) stays.
      Path keyStore = dir.resolve("broker.pem");
      String keyStoreContent = Files.readString(brokerKey, StandardCharsets.US_ASCII).strip() + "\n"
          + Files.readString(brokerCrt, StandardCharsets.US_ASCII).strip() + "\n"
          + Files.readString(caCrt, StandardCharsets.US_ASCII).strip() + "\n";
      if (!Files.exists(keyStore) || !Files.readString(keyStore, StandardCharsets.US_ASCII).equals(keyStoreContent)) {
        writeSecret(keyStore, keyStoreContent);
      }
      return new BrokerTls(dir, Files.readString(caCrt, StandardCharsets.US_ASCII).strip() + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the broker's TLS material in " + dir, e);
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("cannot prepare the broker's TLS material in " + dir + ": " + e.getMessage(), e);
    }
  }

  public Path dir() {
    return dir;
  }

  /** The CA certificate, PEM: what clients trust the broker by. */
  public String caCertificatePem() {
    return caCertificatePem;
  }

  public Path caCertificateFile() {
    return dir.resolve("ca.crt");
  }

  /** Key and chain in one PEM file, for Kafka's {@code ssl.keystore.location} with type PEM. */
  public Path keyStoreFile() {
    return dir.resolve("broker.pem");
  }

  private static boolean namesAll(X509Certificate cert, Set<String> names) throws CertificateParsingException {
    Set<String> present = new HashSet<>();
    Collection<List<?>> alternatives = cert.getSubjectAlternativeNames();
    if (alternatives != null) {
      alternatives.forEach(entry -> present.add(String.valueOf(entry.get(1))));
    }
    return present.containsAll(names) && cert.getNotAfter().toInstant().isAfter(Instant.now().plus(Duration.ofDays(30)));
  }

  private static KeyPair newKeyPair() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
    return generator.generateKeyPair();
  }

  private static X509Certificate selfSignedCa(KeyPair ca) throws GeneralSecurityException, OperatorCreationException,
      IOException {
    Instant now = Instant.now();
    X500Name subject = new X500Name("CN=Orca broker CA " + Long.toHexString(new SecureRandom().nextLong()));
    X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial(), Date.from(now.minusSeconds(60)),
        Date.from(now.plus(CA_LIFETIME)), subject, ca.getPublic());
    JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
    builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    builder.addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(ca.getPublic()));
    return sign(builder, ca.getPrivate());
  }

  private static X509Certificate brokerCertificate(KeyPair broker, X509Certificate ca, PrivateKey caKey,
      Set<String> names) throws GeneralSecurityException, OperatorCreationException, IOException {
    Instant now = Instant.now();
    X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(ca, serial(), Date.from(now.minusSeconds(60)),
        Date.from(now.plus(BROKER_LIFETIME)), new X500Name(BROKER_SUBJECT), broker.getPublic());
    JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
    builder.addExtension(Extension.extendedKeyUsage, false,
        new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
    builder.addExtension(Extension.authorityKeyIdentifier, false, extensions.createAuthorityKeyIdentifier(ca));
    List<GeneralName> alternatives = new ArrayList<>();
    for (String name : names) {
      alternatives.add(isAddress(name) ? new GeneralName(GeneralName.iPAddress, name)
          : new GeneralName(GeneralName.dNSName, name));
    }
    builder.addExtension(Extension.subjectAlternativeName, false,
        new GeneralNames(alternatives.toArray(GeneralName[]::new)));
    return sign(builder, caKey);
  }

  private static boolean isAddress(String name) {
    return name.matches("[0-9.]+") || name.contains(":");
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key)
      throws OperatorCreationException, GeneralSecurityException {
    ContentSigner signer = new JcaContentSignerBuilder(SIGNATURE).build(key);
    return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
  }

  private static BigInteger serial() {
    return new BigInteger(127, new SecureRandom());
  }

  private static X509Certificate readCertificate(Path file) throws IOException, GeneralSecurityException {
    try (PEMParser parser = new PEMParser(new StringReader(Files.readString(file, StandardCharsets.US_ASCII)))) {
      Object object = parser.readObject();
      if (!(object instanceof X509CertificateHolder holder)) {
        throw new GeneralSecurityException(file + " holds no PEM certificate");
      }
      return new JcaX509CertificateConverter().getCertificate(holder);
    }
  }

  private static PrivateKey readPrivateKey(Path file) throws IOException, GeneralSecurityException {
    try (PEMParser parser = new PEMParser(new StringReader(Files.readString(file, StandardCharsets.US_ASCII)))) {
      Object object = parser.readObject();
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      if (object instanceof PrivateKeyInfo info) {
        return converter.getPrivateKey(info);
      }
      if (object instanceof PEMKeyPair pair) {
        return converter.getKeyPair(pair).getPrivate();
      }
      throw new GeneralSecurityException(file + " holds no PEM private key");
    }
  }

  private static String pem(Object object) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object);
    }
    return out.toString();
  }

  /** A certificate: readable by anyone (a broker in a container runs as a user of its own and reads the CA). */
  private static void write(Path file, String content) throws IOException {
    write(file, content, "rw-r--r--");
  }

  /** A private key: its owner's only. */
  private static void writeSecret(Path file, String content) throws IOException {
    write(file, content, "rw-------");
  }

  /** Written whole or not at all, with {@code permissions} before the content is. */
  private static void write(Path file, String content, String permissions) throws IOException {
    Path temporary = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
    restrict(temporary, permissions);
    Files.writeString(temporary, content, StandardCharsets.US_ASCII);
    Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static void restrict(Path path, String permissions) throws IOException {
    try {
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));
    } catch (UnsupportedOperationException e) {
      // Not a POSIX file system: its own access rules apply.
    }
  }
}
