/** Periodic health of every application on this host, reported on change and in full every 12 intervals. */
package dev.orca.agent.health;
