package dev.orca.gateway.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orca.schemas.crypto.Keys;
import java.util.List;
import org.junit.jupiter.api.Test;

class BlindIndexTest {

  private static final String SECRET = "a-test-secret-that-is-long-enough-0123456789";

  @Test
  void shouldIndexNamesCaseAndSpaceInsensitivelyWithAKey() {
    BlindIndex index = new BlindIndex(Keys.fromSecret(SECRET));
    assertThat(index.of("  My App ")).isEqualTo(index.of("my app")).hasSize(64);
    assertThat(new BlindIndex(Keys.fromSecret(SECRET + "-other")).of("my app")).isNotEqualTo(index.of("my app"));
  }

  @Test
  void shouldMakeNamesNoOneCanTellApartOneName() {
    for (String lookalike : List.of("my\u00A0app", "my\u200B app", "ｍｙ ａｐｐ",
        "my\u2003\u2003app", "\uFEFFmy app\u200D", "my ap\u00ADp", "My App\u3000", "my\u3164 app")) {
      assertThat(BlindIndex.normalise(lookalike)).as("%s", lookalike.codePoints()
          .mapToObj(Integer::toHexString).toList()).isEqualTo("my app");
    }
    assertThat(BlindIndex.normalise("my\u200Bapp")).isEqualTo("myapp");
    // What a person can tell apart stays apart.
    assertThat(BlindIndex.normalise("my-app")).isNotEqualTo(BlindIndex.normalise("my app"));
    assertThat(BlindIndex.normalise("café")).isEqualTo(BlindIndex.normalise("cafe\u0301"))
        .isEqualTo(BlindIndex.normalise("cafe\u034F\u0301")).isNotEqualTo("cafe");
  }
}
