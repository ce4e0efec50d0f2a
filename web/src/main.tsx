// The console: one page, a view per URL under /console/, each view its own chunk.
import { render } from "preact";
import { useErrorBoundary } from "preact/hooks";
import { LocationProvider, Route, Router, lazy } from "preact-iso";
import { Layout } from "./components/Layout";
import { Home } from "./home/Home";
import { SignIn } from "./auth/SignIn";
import { SignUp } from "./auth/SignUp";
import "./styles.css";

const Kiosk = lazy(() => import("./walkin/Kiosk").then((m) => m.Kiosk));
const Board = lazy(() => import("./walkin/Board").then((m) => m.Board));
const Desk = lazy(() => import("./walkin/Desk").then((m) => m.Desk));
const Booking = lazy(() => import("./booking/Booking").then((m) => m.Booking));
const Alerts = lazy(() => import("./alerts/Alerts").then((m) => m.Alerts));
const Analytics = lazy(() => import("./analytics/Analytics").then((m) => m.Analytics));
const Orders = lazy(() => import("./orders/Orders").then((m) => m.Orders));
const Account = lazy(() => import("./account/Account").then((m) => m.Account));

function NotFound() {
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        There is no such view. <a href="/console/">Go to the start</a>.
      </p>
    </section>
  );
}

function ChunkFailed() {
  return (
    <section>
      <h1>This view could not load</h1>
      <p role="alert">The connection may have dropped, or the console was updated. Reload the page to try again.</p>
    </section>
  );
}

/** A view whose code did not load (or failed while drawing) says so instead of a blank page. */
function Boundary() {
  const [error] = useErrorBoundary();
  if (error) {
    return (
      <Layout>
        <ChunkFailed />
      </Layout>
    );
  }
  return <Routes />;
}

function App() {
  return (
    <LocationProvider>
      <Boundary />
    </LocationProvider>
  );
}

function Routes() {
  return (
    <Router>
      <Route path="/console/walkin/kiosk" component={() => <Layout bare><Kiosk /></Layout>} />
      <Route path="/console/walkin/board" component={() => <Layout bare><Board /></Layout>} />
      <Route path="/console/walkin/desk" component={() => <Layout><Desk /></Layout>} />
      <Route path="/console/booking" component={() => <Layout><Booking /></Layout>} />
      <Route path="/console/alerts" component={() => <Layout><Alerts /></Layout>} />
      <Route path="/console/analytics" component={() => <Layout><Analytics /></Layout>} />
      <Route path="/console/orders" component={() => <Layout><Orders /></Layout>} />
      <Route path="/console/account" component={() => <Layout><Account /></Layout>} />
      <Route path="/console/signin" component={() => <Layout><SignIn /></Layout>} />
      <Route path="/console/signup" component={() => <Layout><SignUp /></Layout>} />
      <Route path="/console/" component={() => <Layout><Home /></Layout>} />
      <Route path="/console" component={() => <Layout><Home /></Layout>} />
      <Route default component={() => <Layout><NotFound /></Layout>} />
    </Router>
  );
}

render(<App />, document.getElementById("app")!);
