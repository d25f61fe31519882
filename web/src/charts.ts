/**
 * ECharts, with only what the page uses registered (bar and line charts, grid, tooltip, legend,
 * canvas renderer) to keep the bundle small. Each chart writes what ECharts actually holds into
 * `data-series` / `data-categories` once rendered (`data-rendered`), so tests and officers' scripts
 * can compare the chart with the API.
 */
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { h } from './dom.js';

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

/** One series of a chart. */
export interface ChartSeries {
  /** Stable key for scripts and tests (an energy, a sub-item code, `lastYear`). */
  readonly key: string;
  readonly name: string;
  readonly type: 'bar' | 'line';
  readonly data: readonly number[];
  readonly stack?: string;
}

/** What a chart shows. */
export interface ChartData {
  readonly categories: readonly string[];
  readonly series: readonly ChartSeries[];
  readonly unit: string;
  /** Bars along the y axis (rankings). */
  readonly horizontal?: boolean;
}

const live = new Set<{ dispose(): void }>();

/** Disposes every chart of the page being left. */
export function disposeCharts(): void {
  for (const c of live) c.dispose();
  live.clear();
}

function optionOf(data: ChartData): echarts.EChartsCoreOption {
  const category = { type: 'category', data: [...data.categories], axisLabel: { hideOverlap: true } };
  // Horizontal charts name the value axis under it: at its end the name would be cut off.
  const value = data.horizontal
    ? { type: 'value', name: data.unit, nameLocation: 'middle', nameGap: 24 }
    : { type: 'value', name: data.unit, nameTextStyle: { align: 'left' } };
  return {
    animation: false,
    textStyle: { fontFamily: 'inherit' },
    tooltip: { trigger: 'axis', confine: true },
    legend: { show: data.series.length > 1, top: 0, type: 'scroll' },
    grid: {
      left: 8,
      right: 16,
      top: data.series.length > 1 ? 36 : 28,
      bottom: data.horizontal ? 28 : 8,
      containLabel: true,
    },
    xAxis: data.horizontal ? value : category,
    yAxis: data.horizontal ? { ...category, inverse: true } : value,
    series: data.series.map((s) => ({
      id: s.key,
      name: s.name,
      type: s.type,
      data: [...s.data],
      ...(s.stack === undefined ? {} : { stack: s.stack }),
      ...(s.type === 'line' ? { showSymbol: data.categories.length <= 31, smooth: false } : {}),
    })),
  };
}

/**
 * A chart element: ECharts starts once the element has a size (a ResizeObserver, so charts laid out
 * later or resized with the window follow) and is disposed when the page is left.
 */
export function chart(id: string, data: ChartData, heightPx = 300): HTMLElement {
  const el = h('div', { class: 'chart', 'data-chart': id, style: `height:${heightPx}px` });
  let instance: echarts.ECharts | undefined;
  const observer = new ResizeObserver(() => {
    if (el.clientWidth === 0) return;
    if (instance !== undefined) {
      instance.resize();
      return;
    }
    instance = echarts.init(el, undefined, { renderer: 'canvas' });
    const current = instance;
    current.on('finished', () => {
      const option = current.getOption() as { series?: { id?: string; name?: string; data?: unknown[] }[] };
      const xAxis = (current.getOption() as { xAxis?: { data?: unknown[] }[]; yAxis?: { data?: unknown[] }[] })[
        data.horizontal ? 'yAxis' : 'xAxis'
      ];
      el.dataset.series = JSON.stringify(
        (option.series ?? []).map((s) => ({ key: s.id, name: s.name, data: s.data ?? [] })),
      );
      el.dataset.categories = JSON.stringify(xAxis?.[0]?.data ?? []);
      el.dataset.rendered = 'true';
    });
    current.setOption(optionOf(data));
  });
  observer.observe(el);
  live.add({
    dispose: () => {
      observer.disconnect();
      instance?.dispose();
    },
  });
  return el;
}
