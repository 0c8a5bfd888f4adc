// Bureau dashboard charts, drawn with the vendored ECharts from the report API (/api/reports/...).
// Every chart element gets data-rendered="1" once drawn ("empty" without data, "error" on failure),
// and a click on a point opens the records behind it.
(function () {
  "use strict";

  const configNode = document.getElementById("reports-chart-config");
  if (!configNode || typeof echarts === "undefined") {
    return;
  }
  const config = JSON.parse(configNode.textContent);
  const labels = config.labels;
  const charts = [];

  const COUNT_SERIES = [
    "sme_acquisitions.deals",
    "institution_transfers.deals",
    "smes_benefited.count",
    "sme_pledge_financing.count",
    "product_filings.count",
  ];
  const AMOUNT_SERIES = [
    "sme_acquisitions.contract_amount",
    "sme_acquisitions.received_amount",
    "institution_transfers.contract_amount",
    "sme_pledge_financing.amount",
  ];
  const AMOUNT_VALUES = new Set(["contract_amount", "received_amount", "revenue", "amount"]);

  function node(name) {
    return document.querySelector(`[data-chart="${name}"]`);
  }

  function init(element) {
    const chart = echarts.init(element, null, { renderer: "canvas" });
    charts.push(chart);
    return chart;
  }

  function rendered(element, state) {
    element.dataset.rendered = state;
  }

  function failed(element) {
    rendered(element, "error");
    element.innerHTML = "";
    const message = document.createElement("p");
    message.className = "text-danger small";
    message.textContent = labels.load_error;
    element.appendChild(message);
  }

  async function getJSON(url) {
    const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (!response.ok) {
      throw new Error(`${url}: ${response.status}`);
    }
    return response.json();
  }

  function label(key) {
    const [indicator] = key.split(".");
    return `${labels.indicators[indicator]} · ${labels.values[key]}`;
  }

  function isAmount(key) {
    return AMOUNT_VALUES.has(key.split(".")[1]);
  }

  function toWan(value) {
    return Math.round((Number(value) / 10000) * 100) / 100;
  }

  function drilldownUrl(key, year, district) {
    const url = new URL(config.drilldown.replace("/KEY/", `/${encodeURIComponent(key)}/`), window.location.origin);
    if (year !== undefined) {
      url.searchParams.set("year", year);
    }
    if (district !== undefined) {
      url.searchParams.set("district", district);
    }
    return url.pathname + url.search;
  }

  function series(trend, key) {
    const [indicator, value] = key.split(".");
    const points = trend.indicators[indicator].values[value];
    return isAmount(key) ? points.map(toWan) : points;
  }

  function trendChart(element, trend, keys, type) {
    const chart = init(element);
    chart.setOption({
      animationDuration: 300,
      tooltip: { trigger: "axis", renderMode: "richText" },
      legend: { type: "scroll", bottom: 0 },
      grid: { left: 48, right: 16, top: 24, bottom: 56 },
      xAxis: { type: "category", data: trend.years.map(String) },
      yAxis: { type: "value", name: type === "bar" ? labels.amounts_unit : labels.counts },
      series: keys.map((key) => ({ name: label(key), type, data: series(trend, key), key })),
    });
    chart.on("click", (params) => {
      const key = keys[params.seriesIndex];
      window.location.href = drilldownUrl(key, trend.years[params.dataIndex]);
    });
    rendered(element, "1");
  }

  async function drawTrends() {
    const counts = node("trend-counts");
    const amounts = node("trend-amounts");
    try {
      const trend = await getJSON(config.api.trend);
      trendChart(counts, trend, COUNT_SERIES, "line");
      trendChart(amounts, trend, AMOUNT_SERIES, "bar");
    } catch (error) {
      console.error(error);
      failed(counts);
      failed(amounts);
    }
  }

  async function drawDistricts() {
    const element = node("districts");
    if (!element || !config.api.districts) {
      return;
    }
    const select = document.getElementById("compare-metric");
    let data;
    try {
      data = await getJSON(config.api.districts);
    } catch (error) {
      console.error(error);
      failed(element);
      return;
    }
    const chart = init(element);
    function draw() {
      const key = select.value;
      const [indicator, value] = key.split(".");
      const rows = data.districts;
      chart.setOption(
        {
          animationDuration: 300,
          tooltip: { trigger: "axis", renderMode: "richText" },
          grid: { left: 56, right: 16, top: 32, bottom: 64 },
          xAxis: { type: "category", data: rows.map((row) => row.name), axisLabel: { interval: 0, rotate: 30 } },
          yAxis: { type: "value", name: isAmount(key) ? labels.amounts_unit : labels.counts },
          series: [
            {
              name: label(key),
              type: "bar",
              data: rows.map((row) => {
                const block = row.indicators[indicator];
                const raw = block.values[value];
                return {
                  value: isAmount(key) ? toWan(raw) : raw,
                  itemStyle: { color: block.met ? "#198754" : "#6c757d" },
                };
              }),
            },
          ],
          title: { text: label(key), textStyle: { fontSize: 12 }, left: 0 },
        },
        true,
      );
    }
    draw();
    select.addEventListener("change", draw);
    chart.on("click", (params) => {
      const row = data.districts[params.dataIndex];
      window.location.href = `${config.dashboard}?year=${data.year}&district=${row.code}`;
    });
    rendered(element, "1");
  }

  async function drawFunnel() {
    const element = node("funnel");
    let funnel;
    try {
      funnel = await getJSON(config.api.funnel);
    } catch (error) {
      console.error(error);
      failed(element);
      return;
    }
    const chart = init(element);
    const max = Math.max(1, ...funnel.stages.map((stage) => stage.count));
    chart.setOption({
      animationDuration: 300,
      tooltip: { trigger: "item", formatter: "{b}: {c}", renderMode: "richText" },
      series: [
        {
          type: "funnel",
          sort: "none",
          min: 0,
          max,
          minSize: "8%",
          left: "5%",
          width: "60%",
          label: { show: true, position: "right", formatter: "{b}：{c}" },
          data: funnel.stages.map((stage) => ({ name: stage.label, value: stage.count, key: stage.key })),
        },
      ],
    });
    chart.on("click", (params) => {
      window.location.href = drilldownUrl(`funnel.${params.data.key}`);
    });
    rendered(element, "1");
  }

  window.addEventListener("resize", () => charts.forEach((chart) => chart.resize()));
  drawTrends();
  drawDistricts();
  drawFunnel();
})();
