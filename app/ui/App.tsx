export function App() {
  return (
    <main>
      <h1>ERGO Lens</h1>
      <p data-testid="app-ready">Ask about a high-resolution image; the model looks at a small copy, zooms, then answers.</p>
    </main>
  );
}
