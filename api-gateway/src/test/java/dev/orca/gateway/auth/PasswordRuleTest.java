package dev.orca.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PasswordRuleTest {

  @Test
  void shouldAcceptTwelveCharactersWithThreeClasses() {
    assertThat(PasswordRule.isStrong("correcthorse42X")).isTrue();
    assertThat(PasswordRule.isStrong("correct-horse-42")).isTrue();
    assertThat(PasswordRule.isStrong("CORRECT-HORSE-battery")).isTrue();
  }

  @Test
  void shouldRefuseShortPasswordsWhateverTheirClasses() {
    assertThat(PasswordRule.isStrong("Aa1!Aa1!Aa1")).isFalse();
    assertThat(PasswordRule.isStrong(null)).isFalse();
  }

  @Test
  void shouldRefuseLongPasswordsWithFewerThanThreeClasses() {
    assertThat(PasswordRule.isStrong("correcthorsebattery")).isFalse();
    assertThat(PasswordRule.isStrong("correcthorse4242")).isFalse();
    assertThat(PasswordRule.isStrong("CORRECTHORSE!!!!")).isFalse();
  }
}
