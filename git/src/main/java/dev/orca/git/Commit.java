package dev.orca.git;

/** A resolved commit: its full SHA and its full message. */
public record Commit(String sha, String message) {}
