// The console's entry: picks the page from the URL hash and renders it in the layout.
import { render } from 'preact';
import { AggregatesPage } from './pages/aggregates.page';
import { EntityPage } from './pages/entity.page';
import { EventPage } from './pages/event.page';
import { ReplaysPage } from './pages/replays.page';
import { SourcePage } from './pages/source.page';
import { SourcesPage } from './pages/sources.page';
import { Route, useRoute } from './router';
import { Layout } from './ui/layout';
import './styles.css';

function Page({ route }: { route: Route }) {
  const [section = 'sources', id] = route.path;
  switch (section) {
    case 'sources':
      return id ? <SourcePage key={id} route={route} source={id} /> : <SourcesPage route={route} />;
    case 'entities':
      return <EntityPage route={route} entity={id} />;
    case 'events':
      return <EventPage route={route} eventId={id} />;
    case 'replays':
      return <ReplaysPage route={route} replayId={id} />;
    case 'aggregates':
      return <AggregatesPage route={route} bucket={id} />;
    default:
      return (
        <p class="empty">
          There is no page “{section}”. <a href="#/sources">Go to the sources overview.</a>
        </p>
      );
  }
}

function App() {
  const route = useRoute();
  const section = route.path[0] ?? 'sources';
  useTitle(section);
  return (
    <Layout section={section}>
      <Page route={route} />
    </Layout>
  );
}

function useTitle(section: string): void {
  document.title = `${section[0].toUpperCase()}${section.slice(1)} · pipescope`;
}

render(<App />, document.getElementById('app')!);
