package dev.orca.gateway.repository;

import dev.orca.gateway.system.OrcaProperties;
import dev.orca.git.RemoteBrowser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The gateway's view of git remotes: the same URL policy ({@code orca.allow-local-git}), timeout
 * ({@code orca.git-timeout}, 30 s like sync-stream) and errors as a sync, on working repositories
 * under a temporary directory of its own.
 */
@Configuration(proxyBeanMethods = false)
class RemoteBrowsing {

  @Bean(destroyMethod = "close")
  RemoteBrowser remoteBrowser(OrcaProperties properties, @Value("${orca.git-timeout:30s}") Duration timeout) {
    try {
      return new RemoteBrowser(Files.createTempDirectory("orca-git-"), properties.allowLocalGit(), timeout);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot make a working directory for git", e);
    }
  }
}
