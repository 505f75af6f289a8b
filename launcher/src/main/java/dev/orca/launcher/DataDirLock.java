package dev.orca.launcher;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps two launcher commands that each own a data directory from running on it at once:
 * {@code ./orca up} holds it while it runs, {@code ./orca import} while it writes. An operating
 * system lock on {@code ORCA_DATA_DIR/orca.lock}, released when the process ends however it ends.
 * Within one process a second holder is refused before the file is opened at all: closing any
 * descriptor of a file drops every lock the process holds on it (POSIX locks).
 */
final class DataDirLock implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DataDirLock.class);
  static final String FILE_NAME = "orca.lock";
  private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

  private final Path file;
  private final FileChannel channel;
  private final FileLock lock;

  private DataDirLock(Path file, FileChannel channel, FileLock lock) {
    this.file = file;
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock, or refuses with {@code busy} (what to tell the person) when another holder
   * has it. Where the file system cannot lock (some network mounts) it goes on without, saying so.
   */
  static DataDirLock acquire(Path dataDir, String busy) {
    Path file = dataDir.toAbsolutePath().normalize().resolve(FILE_NAME);
    if (!HELD.add(file)) {
      throw new IllegalStateException(busy);
    }
    FileChannel channel = null;
    try {
      Files.createDirectories(file.getParent());
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        channel.close();
        HELD.remove(file);
        throw new IllegalStateException(busy);
      }
      return new DataDirLock(file, channel, lock);
    } catch (IOException e) {
      log.warn("cannot lock {} ({}): going on without; do not run another ./orca up or import on this directory"
          + " meanwhile", file, e.getMessage());
      return new DataDirLock(file, channel, null);
    }
  }

  @Override
  public void close() {
    try {
      if (lock != null) {
        lock.release();
      }
      if (channel != null) {
        channel.close();
      }
    } catch (IOException e) {
      // released with the process anyway
    } finally {
      HELD.remove(file);
    }
  }
}
