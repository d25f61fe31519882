/**
 * ECharts, with only what the page uses registered (bar, line and sankey charts, grid, tooltip,
 * legend, canvas renderer) to keep the bundle small. Each chart writes what ECharts actually holds into
 * `data-series` / `data-categories` once rendered (`data-rendered`), so tests and officers' scripts
 * can compare the chart with the API.
 */
import { BarChart, LineChart, SankeyChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { h } from './dom.js';

echarts.use([BarChart, LineChart, SankeyChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

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
 * later or resized with the window follow) and is disposed when the page is left. Once rendered,
 * `record` writes what ECharts holds into the element's data attributes.
 */
function mount(
  id: string,
  option: echarts.EChartsCoreOption,
  heightPx: number,
  record: (el: HTMLElement, held: Record<string, unknown>) => void,
): HTMLElement {
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
      record(el, current.getOption() as Record<string, unknown>);
      el.dataset.rendered = 'true';
    });
    current.setOption(option);
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

/** A bar or line chart; `data-series` holds each series' key, name and data, `data-categories` the axis. */
export function chart(id: string, data: ChartData, heightPx = 300): HTMLElement {
  return mount(id, optionOf(data), heightPx, (el, held) => {
    const series = (held.series ?? []) as { id?: string; name?: string; data?: unknown[] }[];
    const axis = held[data.horizontal ? 'yAxis' : 'xAxis'] as { data?: unknown[] }[] | undefined;
    el.dataset.series = JSON.stringify(series.map((s) => ({ key: s.id, name: s.name, data: s.data ?? [] })));
    el.dataset.categories = JSON.stringify(axis?.[0]?.data ?? []);
  });
}

/** A node of a flow diagram: a stable id, the name shown, and its value. */
export interface FlowNode {
  readonly id: string;
  readonly name: string;
  readonly value: number;
}

/** A link of a flow diagram between two node ids. */
export interface FlowLink {
  readonly source: string;
  readonly target: string;
  readonly value: number;
}

/**
 * A Sankey diagram; `data-series` holds `[{key, nodes: [{id, value}], links: [{source, target,
 * value}]}]` as ECharts holds them. Nodes are keyed by id (names may repeat) and labelled by name.
 */
export function sankey(
  id: string,
  flow: { nodes: readonly FlowNode[]; links: readonly FlowLink[]; unit: string },
  heightPx = 420,
): HTMLElement {
  const names = new Map(flow.nodes.map((n) => [n.id, n.name]));
  const label = (key: string) => names.get(key) ?? key;
  const option = {
    animation: false,
    textStyle: { fontFamily: 'inherit' },
    tooltip: {
      trigger: 'item',
      confine: true,
      formatter: (p: {
        dataType?: string;
        name?: string;
        value?: number;
        data?: { source?: string; target?: string };
      }) =>
        p.dataType === 'edge'
          ? `${label(p.data?.source ?? '')} → ${label(p.data?.target ?? '')}: ${p.value} ${flow.unit}`
          : `${label(p.name ?? '')}: ${p.value} ${flow.unit}`,
    },
    series: [
      {
        id,
        type: 'sankey',
        left: 8,
        right: 120,
        emphasis: { focus: 'adjacency' },
        lineStyle: { color: 'gradient', opacity: 0.4 },
        label: { formatter: (p: { name?: string }) => label(p.name ?? '') },
        data: flow.nodes.map((n) => ({ name: n.id, value: n.value })),
        links: flow.links.map((l) => ({ ...l })),
      },
    ],
  };
  return mount(id, option, heightPx, (el, held) => {
    const series = (held.series ?? []) as {
      id?: string;
      data?: { name: string; value: number }[];
      links?: FlowLink[];
    }[];
    el.dataset.series = JSON.stringify(
      series.map((s) => ({
        key: s.id,
        nodes: (s.data ?? []).map((n) => ({ id: n.name, value: n.value })),
        links: (s.links ?? []).map((l) => ({ source: l.source, target: l.target, value: l.value })),
      })),
    );
  });
}
