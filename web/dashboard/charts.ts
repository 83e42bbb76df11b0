/** Chart.js, with only the parts the dashboard draws registered (line charts with threshold lines, a doughnut). */
import {
  ArcElement,
  Chart,
  DoughnutController,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
  type Plugin,
} from 'chart.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, Filler, Tooltip, Legend, DoughnutController, ArcElement);
Chart.defaults.font.family = 'Inter, "Segoe UI", system-ui, -apple-system, sans-serif';
Chart.defaults.color = '#5b6473';
// Charts are redrawn on every refresh: no animation, so they never flicker.
Chart.defaults.animation = false;

/** The page's colours, shared with the stylesheet. */
export const COLORS = {
  value: '#3b5bdb',
  valueFill: 'rgba(59, 91, 219, 0.08)',
  healthy: '#2f9e44',
  warning: '#f08c00',
  critical: '#e03131',
  v0: '#adb5bd',
  v1: '#3b5bdb',
  grid: '#eef0f4',
};

export { Chart, type ChartConfiguration, type Plugin };
