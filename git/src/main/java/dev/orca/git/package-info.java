/**
 * Git access for syncs: the {@link dev.orca.sync.git.CommitSource} seam (one fetch per repository
 * per sync, then branch and commit resolution and file reads against that fetch) and its JGit
 * implementation over a local bare mirror per repository.
 */
package dev.orca.sync.git;
