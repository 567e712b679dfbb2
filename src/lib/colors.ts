// Firms choose their colours: text drawn on them must stay readable (WCAG contrast), whatever they pick.
function luminance(hex: string): number {
  const channels = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
  const [r, g, b] = channels.map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** Black or white, whichever reads better on `hex` (#rrggbb). */
export function inkOn(hex: string): '#ffffff' | '#111111' {
  const l = luminance(hex);
  return (1.05) / (l + 0.05) >= (l + 0.05) / (0.0123 + 0.05) ? '#ffffff' : '#111111';
}
