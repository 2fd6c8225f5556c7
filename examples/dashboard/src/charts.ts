import { Chart, type ChartDataset, registerables } from 'chart.js';
import { displayNumber, formatValue, type Measured } from './format.js';
import type { Lang } from './i18n.js';

Chart.register(...registerables);
Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
Chart.defaults.color = '#475569';
Chart.defaults.maintainAspectRatio = false;
Chart.defaults.animation = false;

/** The palette: blue, teal, amber, rose, violet, slate. */
export const palette = ['#2563eb', '#0d9488', '#d97706', '#e11d48', '#7c3aed', '#475569'];

/** A series of one KPI over categories. */
export interface Series {
  readonly label: string;
  readonly kpi: Measured;
  readonly values: readonly (number | null)[];
}

function axisFormatter(kpi: Measured, lang: Lang) {
  return (value: string | number) => {
    const raw = Number(value);
    // Ticks are in display units; turn money back into minor units for the formatter.
    const minor = kpi.unit === 'money' && kpi.currency ? raw / displayNumber(kpi, 1) : raw;
    return formatValue(kpi, minor, lang);
  };
}

function tooltipLabel(series: readonly Series[], lang: Lang) {
  return (item: { datasetIndex: number; dataIndex: number; dataset: { label?: string } }) => {
    const one = series[item.datasetIndex];
    if (!one) return '';
    return `${item.dataset.label ?? ''}: ${formatValue(one.kpi, one.values[item.dataIndex] ?? null, lang)}`;
  };
}

/**
 * Bars for the first series and, when given, a line on a second axis for the second (leads as
 * bars, cost per lead as a line): two units on one category axis.
 */
export function barsWithLine(
  canvas: HTMLCanvasElement,
  labels: readonly string[],
  bars: Series,
  line: Series | undefined,
  lang: Lang,
): Chart {
  const series = line ? [bars, line] : [bars];
  const datasets: ChartDataset<'bar' | 'line', (number | null)[]>[] = [
    {
      type: 'bar',
      label: bars.label,
      data: bars.values.map((v) => (v === null ? null : displayNumber(bars.kpi, v))),
      backgroundColor: palette[0],
      yAxisID: 'y',
      order: 2,
    },
  ];
  if (line) {
    datasets.push({
      type: 'line',
      label: line.label,
      data: line.values.map((v) => (v === null ? null : displayNumber(line.kpi, v))),
      borderColor: palette[2],
      backgroundColor: palette[2],
      yAxisID: 'y1',
      order: 1,
      pointRadius: 4,
    });
  }
  return new Chart(canvas, {
    type: 'bar',
    data: { labels: [...labels], datasets },
    options: {
      plugins: { tooltip: { callbacks: { label: tooltipLabel(series, lang) } } },
      scales: {
        y: { beginAtZero: true, ticks: { callback: axisFormatter(bars.kpi, lang) } },
        ...(line
          ? {
              y1: {
                position: 'right' as const,
                beginAtZero: true,
                grid: { drawOnChartArea: false },
                ticks: { callback: axisFormatter(line.kpi, lang) },
              },
            }
          : {}),
      },
    },
  });
}

/** Side-by-side bars of series in the same unit (open and weighted pipeline by stage). */
export function groupedBars(
  canvas: HTMLCanvasElement,
  labels: readonly string[],
  series: readonly Series[],
  lang: Lang,
  horizontal = false,
): Chart {
  const first = series[0];
  return new Chart(canvas, {
    type: 'bar',
    data: {
      labels: [...labels],
      datasets: series.map((one, index) => ({
        label: one.label,
        data: one.values.map((v) => (v === null ? null : displayNumber(one.kpi, v))),
        backgroundColor: palette[index % palette.length],
      })),
    },
    options: {
      indexAxis: horizontal ? 'y' : 'x',
      plugins: { tooltip: { callbacks: { label: tooltipLabel(series, lang) } } },
      scales: first
        ? {
            [horizontal ? 'x' : 'y']: {
              beginAtZero: true,
              ticks: { callback: axisFormatter(first.kpi, lang) },
            },
          }
        : {},
    },
  });
}

/** One proportion per group with its interval. */
export interface IntervalPoint {
  readonly label: string;
  readonly value: number | null;
  readonly lower: number | null;
  readonly upper: number | null;
  readonly sampleSize: number;
}

/**
 * Horizontal proportions with their 95% intervals: a floating bar from lower to upper bound and a
 * marker at the value, so a 2-of-3 rep does not look better than a 60-of-100 one.
 */
export function intervalChart(
  canvas: HTMLCanvasElement,
  points: readonly IntervalPoint[],
  labels: { readonly value: string; readonly interval: string },
  lang: Lang,
): Chart {
  const ratio: Measured = { unit: 'ratio', currency: null };
  const lows = points.map((p) => p.lower ?? p.value ?? 0);
  const highs = points.map((p) => p.upper ?? p.value ?? 1);
  const bounds = {
    min: Math.max(0, Math.floor(Math.min(...lows) * 10) / 10),
    max: Math.min(1, Math.ceil(Math.max(...highs) * 10) / 10),
  };
  const percent = (v: number | null) => (v === null ? '–' : formatValue(ratio, v, lang));
  const datasets: ChartDataset<'bar' | 'line', (number | [number, number] | null)[]>[] = [
    {
      type: 'bar',
      label: labels.interval,
      data: points.map((p) => (p.lower === null || p.upper === null ? null : [p.lower, p.upper])),
      backgroundColor: 'rgba(37, 99, 235, 0.22)',
      borderColor: 'rgba(37, 99, 235, 0.5)',
      borderWidth: 1,
      barPercentage: 0.7,
      grouped: false,
    },
    {
      type: 'line',
      label: labels.value,
      data: points.map((p) => p.value),
      showLine: false,
      pointStyle: 'rectRot',
      pointRadius: 5,
      backgroundColor: '#1e3a8a',
      borderColor: '#1e3a8a',
    },
  ];
  return new Chart(canvas, {
    type: 'bar',
    data: { labels: points.map((p) => p.label), datasets },
    options: {
      indexAxis: 'y',
      plugins: {
        tooltip: {
          callbacks: {
            title: (items) => {
              const point = points[items[0]?.dataIndex ?? -1];
              return point ? `${point.label} (n=${point.sampleSize})` : '';
            },
            label: (item) => {
              const point = points[item.dataIndex];
              if (!point) return '';
              return item.datasetIndex === 0
                ? `${labels.interval}: ${percent(point.lower)}–${percent(point.upper)}`
                : `${labels.value}: ${percent(point.value)}`;
            },
          },
        },
      },
      scales: {
        // Zoomed to the intervals (in steps of 10 points) so that differences between groups
        // stay visible; the tick labels say where the axis starts.
        x: { min: bounds.min, max: bounds.max, ticks: { callback: (v) => percent(Number(v)) } },
        y: {
          ticks: {
            autoSkip: false,
            // On a phone the names are cut short and the sample size moves to the tooltip.
            callback(value) {
              const point = points[Number(value)];
              if (!point) return '';
              const narrow = this.chart.width < 520;
              const name =
                narrow && point.label.length > 16 ? `${point.label.slice(0, 15)}…` : point.label;
              return narrow ? name : `${name} (n=${point.sampleSize})`;
            },
          },
        },
      },
    },
  });
}

/** Lines over months (churn and retention). */
export function lineSeries(
  canvas: HTMLCanvasElement,
  labels: readonly string[],
  series: readonly Series[],
  lang: Lang,
): Chart {
  const first = series[0];
  return new Chart(canvas, {
    type: 'line',
    data: {
      labels: [...labels],
      datasets: series.map((one, index) => ({
        label: one.label,
        data: one.values.map((v) => (v === null ? null : displayNumber(one.kpi, v))),
        borderColor: palette[index % palette.length],
        backgroundColor: palette[index % palette.length],
        spanGaps: true,
        tension: 0.25,
      })),
    },
    options: {
      plugins: { tooltip: { callbacks: { label: tooltipLabel(series, lang) } } },
      scales: first
        ? { y: { beginAtZero: true, ticks: { callback: axisFormatter(first.kpi, lang) } } }
        : {},
    },
  });
}
