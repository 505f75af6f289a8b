package dev.orca.gateway.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The export's envelope: only the passphrase opens it, and any change to any byte is noticed. */
class BackupFileTest {

  private static final char[] PASSPHRASE = "correct horse battery staple".toCharArray();
  private static final byte[] DOCUMENT = "{\"format\":\"orca-export\",\"secret\":\"s3cr3t-value\"}"
      .getBytes(StandardCharsets.UTF_8);

  @Test
  void shouldOpenWithThePassphraseOnly() {
    byte[] sealed = BackupFile.seal(DOCUMENT, PASSPHRASE);
    assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).startsWith("ORCA-EXP").doesNotContain("s3cr3t");
    assertThat(BackupFile.open(sealed, PASSPHRASE)).isEqualTo(DOCUMENT);
    assertThatThrownBy(() -> BackupFile.open(sealed, "correct horse battery stapler".toCharArray()))
        .isInstanceOf(BackupFile.UnreadableException.class).hasMessageContaining("passphrase does not open");
    // Salt and nonce are new each time: the same document never seals to the same bytes.
    assertThat(BackupFile.seal(DOCUMENT, PASSPHRASE)).isNotEqualTo(sealed);
  }

  @Test
  void shouldNoticeAChangeToAnyPart() {
    byte[] sealed = BackupFile.seal(DOCUMENT, PASSPHRASE);
    // The salt, the nonce and the ciphertext: each flipped bit fails the tag.
    for (int position : new int[] {30, 45, sealed.length - 1, sealed.length - 20}) {
      byte[] changed = sealed.clone();
      changed[position] ^= 1;
      assertThatThrownBy(() -> BackupFile.open(changed, PASSPHRASE)).as("byte " + position)
          .isInstanceOf(BackupFile.UnreadableException.class);
    }
    // Weaker key parameters written into the header are authenticated too.
    byte[] weaker = sealed.clone();
    ByteBuffer.wrap(weaker).putInt(9, 8).putInt(13, 1);
    assertThatThrownBy(() -> BackupFile.open(weaker, PASSPHRASE)).isInstanceOf(BackupFile.UnreadableException.class);
  }

  @Test
  void shouldRefuseWhatIsNoExportAndParametersThatWouldExhaustTheMachine() {
    assertThatThrownBy(() -> BackupFile.open("hello".getBytes(StandardCharsets.UTF_8), PASSPHRASE))
        .hasMessageContaining("not an Orca export file");
    byte[] sealed = BackupFile.seal(DOCUMENT, PASSPHRASE);
    assertThatThrownBy(() -> BackupFile.open(Arrays.copyOf(sealed, 40), PASSPHRASE)).hasMessageContaining("cut short");
    byte[] greedy = sealed.clone();
    ByteBuffer.wrap(greedy).putInt(9, Integer.MAX_VALUE);
    assertThatThrownBy(() -> BackupFile.open(greedy, PASSPHRASE)).hasMessageContaining("out of range");
    byte[] future = sealed.clone();
    future[8] = 2;
    assertThatThrownBy(() -> BackupFile.open(future, PASSPHRASE)).hasMessageContaining("format 2");
    assertThatThrownBy(() -> BackupFile.seal(DOCUMENT, "short".toCharArray())).hasMessageContaining("at least 12");
  }
}
