package dev.orca.oidcprovider;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.oauth2.core.oidc.endpoint.OidcParameterNames;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;

/**
 * Spring Authorization Server as the OpenID provider of Orca's OIDC tests. Its clients come from
 * Spring Boot's {@code spring.security.oauth2.authorizationserver.client.*} properties, its people
 * from {@code provider.users}: {@code name:password:email:emailVerified:group|group:trick;...}.
 * A person's trick makes the ID tokens issued to them wrong on purpose, so a test can check Orca
 * refuses them: {@code expired} (expired an hour ago), {@code wrong-audience} (issued for another
 * client), {@code wrong-nonce} (answering another sign-in).
 */
@SpringBootApplication
public class OidcProviderApplication {

  record Person(String name, String password, String email, boolean emailVerified, List<String> groups, String trick) {}

  public static void main(String[] args) {
    SpringApplication.run(OidcProviderApplication.class, args);
  }

  @Bean
  Map<String, Person> people(@Value("${provider.users:}") String users) {
    Map<String, Person> people = new LinkedHashMap<>();
    for (String entry : users.split(";")) {
      if (entry.isBlank()) {
        continue;
      }
      String[] f = entry.split(":", -1);
      people.put(f[0], new Person(f[0], f[1], f[2], Boolean.parseBoolean(f[3]),
          f.length > 4 && !f[4].isEmpty() ? Arrays.asList(f[4].split("\\|")) : List.of(), f.length > 5 ? f[5] : ""));
    }
    return people;
  }

  @Bean
  UserDetailsService users(Map<String, Person> people) {
    return new InMemoryUserDetailsManager(people.values().stream()
        .map(p -> User.withUsername(p.name()).password("{noop}" + p.password()).roles("USER").build())
        .toList());
  }

  @Bean
  OAuth2TokenCustomizer<JwtEncodingContext> idTokenClaims(Map<String, Person> people) {
    return context -> {
      if (!OidcParameterNames.ID_TOKEN.equals(context.getTokenType().getValue())) {
        return;
      }
      Person person = people.get(context.getPrincipal().getName());
      if (person == null) {
        return;
      }
      context.getClaims().claim("email", person.email()).claim("email_verified", person.emailVerified())
          .claim("name", person.name()).claim("groups", person.groups());
      switch (person.trick()) {
        case "expired" -> context.getClaims().issuedAt(Instant.now().minus(2, ChronoUnit.HOURS))
            .expiresAt(Instant.now().minus(1, ChronoUnit.HOURS));
        case "wrong-audience" -> context.getClaims().audience(List.of("someone-else"));
        case "wrong-nonce" -> context.getClaims().claim("nonce", "not-the-nonce-orca-sent");
        default -> { }
      }
    };
  }
}
