// Small progressive enhancements. No inline handlers anywhere: the CSP forbids them.
document.addEventListener('submit', (event) => {
  const button = event.submitter;
  const message = button && button.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});

// Uploads: drop files on the form, and a progress bar while they go. Without this script the
// form posts as it is; with it, the same request goes through XHR and the page then follows the
// server's redirect, which carries the result message.
for (const form of document.querySelectorAll('form.upload-form')) {
  const input = form.querySelector('input[type=file]');
  const zone = form.querySelector('.drop-zone');
  const bar = form.querySelector('.upload-progress');
  const status = form.querySelector('.upload-status');
  zone.addEventListener('dragover', (e) => { e.preventDefault(); zone.classList.add('dragging'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('dragging'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('dragging');
    if (e.dataTransfer && e.dataTransfer.files.length) input.files = e.dataTransfer.files;
  });
  form.addEventListener('submit', (e) => {
    if (!input.files.length) return;
    e.preventDefault();
    const xhr = new XMLHttpRequest();
    xhr.open('POST', form.action);
    xhr.setRequestHeader('Accept', 'application/json');
    bar.hidden = false;
    status.textContent = form.dataset.progress;
    xhr.upload.addEventListener('progress', (p) => { if (p.lengthComputable) bar.value = Math.round((p.loaded / p.total) * 100); });
    xhr.addEventListener('load', () => {
      try { window.location.assign(JSON.parse(xhr.responseText).redirect); } catch { status.textContent = form.dataset.failed; }
    });
    xhr.addEventListener('error', () => { status.textContent = form.dataset.failed; bar.hidden = true; });
    xhr.send(new FormData(form));
  });
}
