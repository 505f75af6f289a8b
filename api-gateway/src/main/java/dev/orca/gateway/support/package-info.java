/** Small parts several gateway packages share. */
package dev.orca.gateway.support;
