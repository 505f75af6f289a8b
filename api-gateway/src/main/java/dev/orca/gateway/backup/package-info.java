/**
 * {@code orca export} / {@code orca import}: the installation as one passphrase-sealed file, and
 * back onto a fresh database, with the configuration published again at the next start.
 */
package dev.orca.gateway.backup;
