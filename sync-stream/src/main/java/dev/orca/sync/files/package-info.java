/**
 * The application's files: what its compose file references inside the repository
 * ({@code env_file}, relative bind mounts, {@code include}, {@code extends}, configs and secrets
 * files), gathered at a commit below the compose file's folder and bounded, and the digest over
 * the compose file and them that change detection compares.
 */
package dev.orca.sync.files;
