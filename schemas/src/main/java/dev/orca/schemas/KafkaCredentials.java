package dev.orca.schemas;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialDeletion;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.errors.ResourceNotFoundException;
import org.apache.kafka.common.errors.SecurityDisabledException;

/**
 * SCRAM credentials and ACLs through the Admin API: what registering, rotating and deleting an
 * agent do, and what the set-up does for the components. Every call is bounded by its timeout
 * and fails with an {@link IllegalStateException} that says what could not be done.
 */
public final class KafkaCredentials {

  /** SCRAM's work factor; RFC 7677 asks for at least 4096. */
  public static final int ITERATIONS = 8192;
  private static final SecureRandom RANDOM = new SecureRandom();

  private KafkaCredentials() {}

  /** A new password: 32 random bytes, base64url (43 characters, nothing to quote in a shell or an env file). */
  public static String newPassword() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Creates the user's SCRAM-SHA-512 credential, or replaces its password. */
  public static void upsert(Admin admin, String user, String password, Duration timeout) {
    await(admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(user,
        new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, ITERATIONS), password))).all(), timeout,
        "set the credential of " + user);
  }

  /** Deletes the user's credential; one that is not there is not an error. */
  public static void delete(Admin admin, String user, Duration timeout) {
    try {
      admin.alterUserScramCredentials(List.of(new UserScramCredentialDeletion(user, ScramMechanism.SCRAM_SHA_512)))
          .all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof ResourceNotFoundException)) {
        throw failure("delete the credential of " + user, e.getCause());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: delete the credential of " + user, e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("cannot delete the credential of " + user + ": no answer within " + timeout, e);
    }
  }

  /** Grants the bindings (those that exist already stay as they are). */
  public static void grant(Admin admin, Collection<AclBinding> bindings, Duration timeout) {
    await(admin.createAcls(bindings).all(), timeout, "grant " + bindings.size() + " ACLs");
  }

  /** Removes every binding the filters match. */
  public static void revoke(Admin admin, Collection<AclBindingFilter> filters, Duration timeout) {
    await(admin.deleteAcls(filters).all(), timeout, "revoke ACLs");
  }

  /**
   * Each component's credential and grants, as {@link KafkaAccess#components} lists them, and
   * the components' grants on every agent topic that exists ({@link KafkaAccess#agentComponents}):
   * agents registered before a version that had them, or by a set-up with other principals.
   */
  public static void setUpComponents(Admin admin, Topics topics, KafkaAccess.Principals principals,
      Map<String, String> passwords, Duration timeout) {
    Map<String, List<AclBinding>> grants = KafkaAccess.components(topics, principals);
    for (Map.Entry<String, List<AclBinding>> component : grants.entrySet()) {
      String password = passwords.get(component.getKey());
      if (password == null) {
        throw new IllegalArgumentException("no password for " + component.getKey());
      }
      upsert(admin, component.getKey(), password, timeout);
      grant(admin, component.getValue(), timeout);
    }
    List<AclBinding> agents = new java.util.ArrayList<>();
    try {
      for (String name : admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        topics.agentOfCommandsTopic(name)
            .ifPresent(agentId -> agents.addAll(KafkaAccess.agentComponents(topics, principals, agentId)));
      }
    } catch (ExecutionException e) {
      throw failure("list the agents' topics", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: list the agents' topics", e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("cannot list the agents' topics: the broker did not answer within " + timeout, e);
    }
    if (!agents.isEmpty()) {
      grant(admin, agents, timeout);
    }
  }

  private static void await(org.apache.kafka.common.KafkaFuture<?> future, Duration timeout, String what) {
    try {
      future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw failure(what, e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + what, e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("cannot " + what + ": the broker did not answer within " + timeout, e);
    }
  }

  private static IllegalStateException failure(String what, Throwable cause) {
    if (cause instanceof SecurityDisabledException) {
      return new IllegalStateException("cannot " + what + ": the broker has no authorizer (run it with KRaft's"
          + " StandardAuthorizer, see docs/security.md)", cause);
    }
    return new IllegalStateException("cannot " + what + ": " + cause.getMessage(), cause);
  }
}
