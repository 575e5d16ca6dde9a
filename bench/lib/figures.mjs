// The figures a benchmark run gathers, in the order they were measured, and
// the number formatting that both the console lines and the report use.

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};

export const quantile = (xs, q) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

export const fmt = (v, digits = 0) =>
  Number.isFinite(v) ? v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '—';

/** Every figure: name → { values, unit, budget text, check(median, max) }. */
export const figures = [];

export function record(name, values, unit, budget, ok, digits = 0) {
  const vs = values.filter((v) => Number.isFinite(v));
  const f = {
    name,
    unit,
    budget,
    digits,
    runs: values.length,
    median: vs.length ? median(vs) : NaN,
    min: vs.length ? Math.min(...vs) : NaN,
    max: vs.length ? Math.max(...vs) : NaN,
    values,
  };
  f.ok = vs.length === values.length && vs.length > 0 && ok ? ok(f) : vs.length ? null : false;
  figures.push(f);
  console.log(
    `FIGURE ${name}: median ${fmt(f.median, digits)} ${unit} (min ${fmt(f.min, digits)}, max ${fmt(f.max, digits)}, runs ${values.length}) ` +
      `budget ${budget}: ${f.ok === null ? 'n/a' : f.ok ? 'within' : 'OVER'}`,
  );
}

/** A benchmark that threw: one row in the report saying so, over budget. */
export function recordFailure(section, e) {
  figures.push({
    name: `${section} (failed: ${String(e.message ?? e).split('\n')[0].slice(0, 120)})`,
    unit: '',
    budget: '',
    digits: 0,
    runs: 0,
    median: NaN,
    min: NaN,
    max: NaN,
    values: [],
    ok: false,
  });
}
