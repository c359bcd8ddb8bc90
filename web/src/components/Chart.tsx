// A chart drawn by ECharts on a div: the library is loaded on first use (its own chunk, the main bundle does
// not carry it), the chart follows its box's size (ResizeObserver) and is disposed when the component goes.
// Only the pieces the platform draws are in that chunk (./echarts.ts).
import { useEffect, useRef, useState } from 'react';
import { Alert } from 'antd';
import type { EChartsCoreOption, EChartsType } from 'echarts/core';

type ECharts = typeof import('echarts/core');

let loading: Promise<ECharts> | null = null;

/** Loads the platform's ECharts build once (./echarts.ts: the chart types and components registered). */
function loadECharts(): Promise<ECharts> {
  loading ??= import('./echarts.ts')
    .then((m) => m.default)
    .catch((e: unknown) => {
      loading = null;
      throw e;
    });
  return loading;
}

export interface ChartProps {
  option: EChartsCoreOption;
  /** What the chart shows, for screen readers (the div is role="img"). */
  ariaLabel: string;
  height?: number;
  testId?: string;
}

export default function Chart({ option, ariaLabel, height = 280, testId }: ChartProps) {
  const box = useRef<HTMLDivElement | null>(null);
  const chart = useRef<EChartsType | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [ready, setReady] = useState(false);

  // Create once per mount; dispose on unmount.
  useEffect(() => {
    let live = true;
    let observer: ResizeObserver | null = null;
    loadECharts()
      .then((echarts) => {
        if (!live || !box.current) return;
        const c = echarts.init(box.current, undefined, { renderer: 'canvas' });
        chart.current = c;
        observer = new ResizeObserver(() => c.resize());
        observer.observe(box.current);
        setReady(true);
      })
      .catch((e: unknown) => {
        if (live) setError(e instanceof Error ? e.message : String(e));
      });
    return () => {
      live = false;
      observer?.disconnect();
      chart.current?.dispose();
      chart.current = null;
    };
  }, []);

  // Every new option replaces the previous one (series that went away are removed).
  useEffect(() => {
    if (ready && chart.current) chart.current.setOption({ aria: { enabled: true }, ...option }, { notMerge: true });
  }, [option, ready]);

  if (error) return <Alert type="error" showIcon title={error} />;
  return <div ref={box} role="img" aria-label={ariaLabel} data-testid={testId} style={{ width: '100%', height }} />;
}
