import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { acceptSharedServer, dismissSharedServer, shareLink } from '../store/actions';
import { useLens } from '../store/lensStore';

/** "Copy share link", and what a received link asks of the recipient (its server, its local image, its box). */
export function ShareBar() {
  const { shared, sharedServer, image, run } = useLens(useShallow((s) => ({ shared: s.shared, sharedServer: s.sharedServer, image: s.image, run: s.run })));
  const [link, setLink] = useState('');
  const wanted = shared?.localImage;
  const canApplyBox = !!shared?.box && !!run && (run.kind === 'ergo' || run.kind === 'fine') && run.status === 'done';
  return (
    <section className="panel share" aria-label="Share">
      <div className="row">
        <button
          type="button"
          data-testid="share-button"
          onClick={() => {
            const url = shareLink();
            setLink(url);
            void navigator.clipboard?.writeText(url).catch(() => undefined);
          }}
        >
          Copy share link
        </button>
        {link && <input className="share-link" data-testid="share-link" readOnly value={link} aria-label="Share link" onFocus={(e) => e.target.select()} />}
      </div>
      {sharedServer && (
        <div className="notice" role="group" aria-labelledby="server-share-title" data-testid="server-share">
          <p id="server-share-title">
            <strong>This link names a server.</strong> It asks to run the model "<code data-testid="server-share-model">{sharedServer.model}</code>" on the server at{' '}
            <code data-testid="server-share-endpoint">{sharedServer.endpoint}</code>.
          </p>
          <p>Nothing has been sent there. If you use it, your image and question go to that server when you test the connection or run: use only a server you trust.</p>
          <div className="row">
            <button type="button" data-testid="server-share-confirm" onClick={acceptSharedServer}>
              Use this server
            </button>
            <button type="button" data-testid="server-share-dismiss" onClick={dismissSharedServer}>
              Ignore it
            </button>
          </div>
        </div>
      )}
      {wanted && !(image && image.width === wanted.width && image.height === wanted.height) && (
        <p className="notice" data-testid="share-needs-image">
          This link was made with a local image, "{wanted.name}" ({wanted.width}×{wanted.height}); it is not in the link. Drop or choose that file to continue.
        </p>
      )}
      {canApplyBox && (
        <button type="button" data-testid="apply-shared-box" onClick={() => useLens.setState({ editedBox: shared!.box })}>
          Use the shared box [{shared!.box!.join(', ')}]
        </button>
      )}
    </section>
  );
}
