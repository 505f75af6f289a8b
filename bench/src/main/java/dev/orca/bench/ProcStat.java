package dev.orca.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time and resident memory of one process, from Linux's {@code /proc/<pid>/stat} and {@code
 * /proc/<pid>/status}. {@code childCpuSeconds} counts children the process has waited for (initdb,
 * pg_ctl); a server they left running (the postmaster) is not a child and is not counted.
 */
record ProcStat(double cpuSeconds, double childCpuSeconds, long rssMegabytes) {

  /** Clock ticks per second of the stat file's times; 100 on every Linux this runs on. */
  static final double TICKS_PER_SECOND = 100.0;

  static ProcStat of(long pid) throws IOException {
    Path proc = Path.of("/proc", String.valueOf(pid));
    return parse(Files.readString(proc.resolve("stat")), Files.readString(proc.resolve("status")));
  }

  /** The parent's process id (field 4 of the stat file). */
  static long parentPid(String stat) {
    return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+")[1]);
  }

  static ProcStat parse(String stat, String status) {
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
    // fields[0] is field 3 (state); utime, stime, cutime, cstime are fields 14 to 17.
    long utime = Long.parseLong(fields[11]);
    long stime = Long.parseLong(fields[12]);
    long cutime = Long.parseLong(fields[13]);
    long cstime = Long.parseLong(fields[14]);
    long rssKb = 0;
    for (String line : status.split("\n")) {
      if (line.startsWith("VmRSS:")) {
        rssKb = Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return new ProcStat((utime + stime) / TICKS_PER_SECOND, (cutime + cstime) / TICKS_PER_SECOND, rssKb / 1024);
  }
}
