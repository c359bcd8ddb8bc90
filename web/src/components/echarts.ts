// The ECharts build the platform uses: only the chart types and components it draws (tree-shaken), with the
// canvas renderer. Chart.tsx imports this module dynamically, so it is a chunk of its own, loaded on first use.
import * as echarts from 'echarts/core';
import { BarChart, LineChart, RadarChart } from 'echarts/charts';
import { AriaComponent, GridComponent, LegendComponent, MarkLineComponent, RadarComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([
  LineChart,
  BarChart,
  RadarChart,
  RadarComponent,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  MarkLineComponent,
  AriaComponent,
  CanvasRenderer,
]);

export default echarts;
