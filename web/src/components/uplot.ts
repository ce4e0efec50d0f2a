// The chart library and its stylesheet, one chunk of their own: only a view that draws a chart
// loads them, when it draws it (see Chart.tsx).
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export default uPlot;
