/** A small trend line (SVG); gaps where there is no value. */
export function Sparkline({
  values,
  label,
  width = 120,
  height = 28,
}: {
  values: (number | null)[];
  label: string;
  width?: number;
  height?: number;
}) {
  const known = values.filter((v): v is number => v !== null);
  if (known.length === 0) return <span class="muted">no data</span>;
  const max = Math.max(...known, 1);
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  let d = '';
  let pen = false;
  values.forEach((v, i) => {
    if (v === null) {
      pen = false;
      return;
    }
    const x = (values.length > 1 ? i * step : width / 2).toFixed(1);
    const y = (height - 2 - (v / max) * (height - 4)).toFixed(1);
    d += pen ? `L${x},${y}` : `M${x},${y}l0,0`;
    pen = true;
  });
  return (
    <svg
      class="spark"
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={label}
    >
      <title>{label}</title>
      <line x1={0} y1={height - 1} x2={width} y2={height - 1} stroke="#d8dee4" stroke-width={1} />
      <path
        d={d}
        fill="none"
        stroke="currentColor"
        stroke-width={known.length === 1 ? 5 : 2}
        stroke-linecap="round"
      />
    </svg>
  );
}
