export function OrcaLogo({ size = 28 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 64 64" aria-hidden="true" focusable="false">
      <rect width="64" height="64" rx="14" fill="#005ec6" />
      <path d="M12 38c6-14 22-22 40-18-4 3-6 6-6 10 0 8-8 14-18 14-6 0-12-2-16-6z" fill="#fff" />
      <circle cx="40" cy="30" r="3" fill="#005ec6" />
      <path d="M14 40c4 6 10 9 16 9" stroke="#cfe4fb" strokeWidth="3" fill="none" strokeLinecap="round" />
    </svg>
  );
}
