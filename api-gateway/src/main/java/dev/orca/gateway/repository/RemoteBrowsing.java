package dev.orca.gateway.repository;

import dev.orca.gateway.system.OrcaProperties;
import dev.orca.git.RemoteBrowser;
import dev.orca.git.SshHosts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The gateway's view of git remotes: the same URL policy ({@code orca.allow-local-git}), timeout
 * ({@code orca.git-timeout}, 30 s like sync-stream) and errors as a sync, on working repositories
 * under a temporary directory of its own. ssh host keys: the operator's known_hosts
 * ({@code orca.ssh-known-hosts}, {@code ORCA_SSH_KNOWN_HOSTS}) wins; other hosts are pinned in
 * {@code <orca.data-dir>/ssh/known_hosts}, the file sync-stream pins in, or, without a data
 * directory, in the temporary directory (pins then last as long as the process).
 */
@Configuration(proxyBeanMethods = false)
class RemoteBrowsing {

  private static final Logger log = LoggerFactory.getLogger(RemoteBrowsing.class);

  @Bean(destroyMethod = "close")
  RemoteBrowser remoteBrowser(OrcaProperties properties, @Value("${orca.git-timeout:30s}") Duration timeout,
      @Value("${orca.ssh-known-hosts:}") String knownHosts, @Value("${orca.data-dir:}") String dataDir) {
    Path work;
    try {
      work = Files.createTempDirectory("orca-git-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot make a working directory for git", e);
    }
    Path pinned = (dataDir.isBlank() ? work : Path.of(dataDir).resolve("ssh")).resolve("known_hosts");
    SshHosts hosts = SshHosts.of(knownHosts, pinned);
    log.info("ssh host keys: {}pinned on first use in {}",
        hosts.knownHosts() == null ? "" : "listed in " + hosts.knownHosts() + ", else ", hosts.pinned());
    return new RemoteBrowser(work, properties.egress(), timeout, hosts);
  }
}
