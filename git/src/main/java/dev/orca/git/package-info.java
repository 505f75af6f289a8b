/**
 * Git access shared by sync-stream and the gateway: the {@link dev.orca.git.CommitSource} seam
 * (one fetch per repository per sync, then branch and commit resolution and file reads against
 * that fetch), its JGit implementation over a local bare mirror per repository, and the
 * remote's branches and file tree for the gateway's repository pages, over http(s) and ssh
 * (a private key held in memory, host keys checked as {@link dev.orca.git.SshHosts} says). Remote
 * URLs are checked by one policy and redacted in every message.
 */
package dev.orca.git;
