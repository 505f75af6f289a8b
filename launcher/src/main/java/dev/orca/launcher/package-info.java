/**
 * {@code ./orca up}: an in-process Kafka broker (KRaft) and PostgreSQL with state in the data
 * directory, then every Orca component and a local agent in the same JVM ({@link
 * dev.orca.launcher.LocalOrca}); {@link dev.orca.launcher.Main} is the command-line entry point.
 */
package dev.orca.launcher;
