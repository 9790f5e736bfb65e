// The pages of `neuroshop serve`: plain JavaScript, no build step, nothing fetched from elsewhere.
// Each page's <body data-page="..."> picks its part below. The server does all image work (the same
// code as the command line); this file only collects the inputs, shows the results and offers them
// for download. Not here: any image processing.
'use strict';

(function () {
  const $ = (selector, root = document) => root.querySelector(selector);
  const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/bmp', 'image/tiff'];
  let maxUploadBytes = 25 * 1024 * 1024;  // replaced by the server's /api/info

  function element(tag, attributes = {}, children = []) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes)) {
      if (key === 'text') node.textContent = value;
      else if (key === 'dataset') Object.assign(node.dataset, value);
      else node.setAttribute(key, value);
    }
    for (const child of children) node.append(child);
    return node;
  }

  async function getJson(url) {
    const response = await fetch(url);
    if (!response.ok) throw new Error(await errorText(response));
    return response.json();
  }

  async function errorText(response) {
    try {
      const body = await response.json();
      if (body && body.error) return body.error;
    } catch (_) { /* not JSON: fall through */ }
    return `the server answered HTTP ${response.status}`;
  }

  // POSTs a form; resolves to the response, or throws Error(the server's {"error"} message).
  async function postForm(url, form) {
    let response;
    try {
      response = await fetch(url, { method: 'POST', body: form });
    } catch (_) {
      throw new Error('the server did not answer (is neuroshop serve still running?)');
    }
    if (!response.ok) throw new Error(await errorText(response));
    return response;
  }

  function setStatus(node, text, kind = '') {
    node.textContent = text;
    node.dataset.kind = kind;
  }

  // A problem with a chosen file the server would refuse anyway, said before uploading it.
  function fileProblem(file) {
    if (!file) return 'no file chosen';
    if (file.size > maxUploadBytes) {
      return `${file.name} is ${(file.size / 1048576).toFixed(1)} MiB; the limit is ${(maxUploadBytes / 1048576).toFixed(0)} MiB`;
    }
    if (file.type && !IMAGE_TYPES.includes(file.type)) return `${file.name} is not a PNG, JPEG, WebP, BMP or TIFF picture`;
    return '';
  }

  function stem(name) {
    return (name || 'image').replace(/\.[^.]*$/, '').replace(/[^A-Za-z0-9_-]+/g, '_') || 'image';
  }

  function offerDownload(link, blob, filename) {
    if (link.href && link.href.startsWith('blob:')) URL.revokeObjectURL(link.href);
    link.href = URL.createObjectURL(blob);
    link.download = filename;
    link.hidden = false;
  }

  function loadImage(url) {
    return new Promise((resolve, reject) => {
      const image = new Image();
      image.onload = () => resolve(image);
      image.onerror = () => reject(new Error('the browser cannot display this picture (use PNG, JPEG or WebP)'));
      image.src = url;
    });
  }

  async function loadInfo() {
    try {
      const info = await getJson('/api/info');
      maxUploadBytes = info.max_upload_bytes || maxUploadBytes;
      return info;
    } catch (_) {
      return { styles: [] };
    }
  }

  // ---- index ------------------------------------------------------------------------------------
  async function indexPage() {
    const info = await loadInfo();
    const parts = [];
    if (info.colorize === false) parts.push('the colorize model is not installed');
    if (info.styles && info.styles.length) parts.push(`shipped styles: ${info.styles.join(', ')}`);
    $('#server-info').textContent = parts.join(' · ');
  }

  // ---- try-on -------------------------------------------------------------------------------------
  // An item: its picture's source ({catalogue: name} or {file: File}), where its footprint centre
  // stands (room pixels, integers), its real size, its view, and the box the last render gave it.
  // Room objects kept in front: the points clicked on them (room pixels) while "Pick objects in
  // front" is on; the server finds each object and reports its box.
  function tryonPage() {
    const stage = $('#stage');
    const stageImage = $('#stage-image');
    const status = $('#status');
    const download = $('#download');
    const editor = {
      panel: $('#item-editor'), none: $('#no-item'), name: $('#item-name'), mode: $('#item-size-mode'),
      size: $('#item-size'), flip: $('#item-flip'), rotate: $('#item-rotate'), at: $('#item-at'),
      remove: $('#item-remove'), sizeNote: $('#item-size-note'), view: $('#item-view'), viewRow: $('#item-view-row'),
    };
    const inFrontButton = $('#in-front-mode');
    const horizonInput = $('#horizon');
    const horizonLine = $('#horizon-line');
    const state = {
      room: null, roomUrl: '', width: 0, height: 0, items: [], selected: null, nextId: 1,
      seq: 0, timer: 0, horizon: null, resultUrl: '', inFront: [], picking: false, inFrontNodes: [],
    };

    loadInfo();
    getJson('/api/samples').then(showSamples).catch((e) => setStatus(status, `samples: ${e.message}`, 'error'));
    getJson('/api/catalogue').then(showCatalogue).catch((e) => setStatus(status, `catalogue: ${e.message}`, 'error'));

    function showSamples(samples) {
      const rooms = $('#sample-rooms');
      for (const room of samples.rooms) {
        const button = element('button', { type: 'button', class: 'secondary', text: `Use sample room ${room.name}`,
                                           dataset: { room: room.name } });
        button.addEventListener('click', async () => {
          try {
            const response = await fetch(`/api/samples/${encodeURIComponent(room.name)}`);
            if (!response.ok) throw new Error(await errorText(response));
            const blob = await response.blob();
            await setRoom(new File([blob], room.name, { type: blob.type }));
          } catch (e) {
            setStatus(status, e.message, 'error');
          }
        });
        rooms.append(button);
      }
    }

    // The furniture catalogue, one grid per category.
    function showCatalogue(catalogue) {
      const box = $('#catalogue');
      for (const group of catalogue.categories) {
        const grid = element('div', { class: 'item-grid', role: 'group', 'aria-label': group.category });
        for (const item of group.items) {
          const url = item.views[0].picture;
          const button = element('button', {
            type: 'button', class: 'sample-item', dataset: { catalogue: item.name },
            title: `${item.title}: ${item.width_cm} × ${item.depth_cm} × ${item.height_cm} cm (w × d × h); ${item.licence}, ${item.creator}`,
          }, [element('img', { src: url, alt: '' }), element('span', { text: `${item.title}, ${item.height_cm} cm` })]);
          button.addEventListener('click', () => addItem({ catalogue: item.name }, item.title, url, item));
          grid.append(button);
        }
        box.append(element('h3', { class: 'catalogue-category', text: group.category }), grid);
      }
    }

    $('#room-file').addEventListener('change', (event) => {
      const file = event.target.files[0];
      if (file) setRoom(file);
    });

    $('#item-file').addEventListener('change', (event) => {
      const file = event.target.files[0];
      if (!file) return;
      const problem = fileProblem(file);
      if (problem) {
        setStatus(status, problem, 'error');
        return;
      }
      addItem({ file }, file.name, URL.createObjectURL(file), null);
      event.target.value = '';
    });

    async function setRoom(file) {
      const problem = fileProblem(file);
      if (problem) {
        setStatus(status, problem, 'error');
        return;
      }
      const url = URL.createObjectURL(file);
      let image;
      try {
        image = await loadImage(url);
      } catch (e) {
        URL.revokeObjectURL(url);
        setStatus(status, `${file.name}: ${e.message}`, 'error');
        return;
      }
      if (state.roomUrl) URL.revokeObjectURL(state.roomUrl);
      state.room = file;
      state.roomUrl = url;
      state.width = image.naturalWidth;
      state.height = image.naturalHeight;
      state.horizon = null;
      state.inFront = [];
      showInFront([]);
      horizonInput.value = '';
      horizonInput.placeholder = 'auto';
      showHorizon();
      stage.hidden = false;
      $('#stage-empty').hidden = true;
      state.items.forEach((item, i) => {
        item.at = item.at ? clampPoint(item.at) : defaultAt(i);
        item.box = null;
      });
      changed();
      setStatus(status, state.items.length ? '' : 'Now pick a piece of furniture.');
    }

    function defaultAt(i) {
      return [Math.round(state.width * (0.5 + 0.15 * ((i % 3) - 1))), Math.round(state.height * 0.85)];
    }

    function clampPoint([x, y]) {
      return [Math.min(Math.max(Math.round(x), 0), state.width - 1), Math.min(Math.max(Math.round(y), 0), state.height - 1)];
    }

    function addItem(source, name, url, dims) {
      const item = {
        id: state.nextId++, source, name, url, dims, aspect: 1,
        at: state.width ? defaultAt(state.items.length) : null,
        sizeMode: 'height_cm', size: dims ? null : 80, flip: false, rotate: 0, box: null, boxAt: null, view: '',
      };
      const picture = element('img', { src: url, alt: '', draggable: 'false' });
      item.ghost = element('div', {
        class: 'ghost', tabindex: '0', role: 'button', dataset: { itemId: String(item.id) },
        'aria-label': `${name}: drag to place, arrow keys to nudge`,
      }, [picture, element('span', { class: 'foot' })]);
      picture.addEventListener('load', () => {
        item.aspect = picture.naturalWidth / Math.max(1, picture.naturalHeight);
        layout(item);
      });
      attachDrag(item);
      stage.append(item.ghost);
      state.items.push(item);
      select(item);
      changed();
      if (!state.room) setStatus(status, 'Now choose a room photo.');
    }

    function select(item) {
      state.selected = item;
      for (const other of state.items) other.ghost.classList.toggle('selected', other === item);
      editor.panel.hidden = !item;
      editor.none.hidden = !!item;
      if (!item) return;
      editor.name.textContent = item.name;
      editor.mode.value = item.sizeMode;
      editor.size.value = item.size === null ? '' : String(item.size);
      editor.size.placeholder = item.dims ? String(item.dims[item.sizeMode]) : '';
      editor.sizeNote.textContent = item.dims ? `empty: ${item.dims[item.sizeMode]} cm, from the catalogue`
                                              : 'an uploaded picture needs its real size';
      editor.flip.checked = item.flip;
      editor.rotate.value = String(item.rotate);
      const views = item.dims && item.dims.views ? item.dims.views : [];
      editor.viewRow.hidden = views.length < 2;
      editor.view.replaceChildren(element('option', { value: '', text: "auto (the room's camera angle)" }),
                                  ...views.map((v) => element('option', { value: v.view, text: `${v.view} (camera ${v.elevation_deg}° down)` })));
      editor.view.value = item.view;
      showAt(item);
    }

    function showAt(item) {
      editor.at.textContent = item && item.at ? `stands at (${item.at[0]}, ${item.at[1]}) px` : '';
    }

    editor.mode.addEventListener('change', () => {
      const item = state.selected;
      item.sizeMode = editor.mode.value;
      select(item);
      changed();
    });
    editor.size.addEventListener('input', () => {
      const item = state.selected;
      const value = editor.size.value.trim() === '' ? null : Number(editor.size.value);
      item.size = value !== null && Number.isFinite(value) && value > 0 ? value : null;
      if (item.size === null && !item.dims) return;  // an uploaded picture needs a size: wait for one
      changed(600);
    });
    editor.view.addEventListener('change', () => {
      state.selected.view = editor.view.value;
      changed();
    });
    editor.flip.addEventListener('change', () => {
      state.selected.flip = editor.flip.checked;
      changed();
    });
    editor.rotate.addEventListener('input', () => {
      const value = Number(editor.rotate.value);
      if (!Number.isFinite(value) || Math.abs(value) > 180) return;
      state.selected.rotate = value;
      changed(600);
    });
    editor.remove.addEventListener('click', () => {
      const item = state.selected;
      item.ghost.remove();
      if (item.source.file) URL.revokeObjectURL(item.url);
      state.items = state.items.filter((other) => other !== item);
      select(state.items[state.items.length - 1] || null);
      changed();
    });
    for (const id of ['#camera-height', '#harmonize', '#poisson-seams', '#horizon']) $(id).addEventListener('change', () => changed());
    $('#render').addEventListener('click', () => render());

    // The ghost: the item's picture with the middle of its bottom edge on `at`, sized as the last
    // render drew it, scaled by the size law (pixel height ∝ distance below the horizon) as it moves.
    function layout(item) {
      if (!state.width || !item.at) {
        item.ghost.hidden = true;
        return;
      }
      item.ghost.hidden = false;
      let width;
      let height;
      if (item.box && state.horizon !== null && item.boxAt[1] > state.horizon && item.at[1] > state.horizon) {
        const ratio = (item.at[1] - state.horizon) / (item.boxAt[1] - state.horizon);
        width = item.box[2] * ratio;
        height = item.box[3] * ratio;
      } else if (item.box) {
        [, , width, height] = item.box;
      } else {
        height = state.height * 0.3;
        width = height * item.aspect;
      }
      const style = item.ghost.style;
      style.left = `${((item.at[0] - width / 2) / state.width) * 100}%`;
      style.top = `${((item.at[1] - height) / state.height) * 100}%`;
      style.width = `${(width / state.width) * 100}%`;
      style.height = `${(height / state.height) * 100}%`;
    }

    // Room pixels of a pointer position.
    function roomPoint(event) {
      const rect = stageImage.getBoundingClientRect();
      return [(event.clientX - rect.left) * (state.width / rect.width), (event.clientY - rect.top) * (state.height / rect.height)];
    }

    let drag = null;
    function attachDrag(item) {
      const ghost = item.ghost;
      ghost.addEventListener('pointerdown', (event) => {
        if (event.button !== 0) return;
        event.preventDefault();
        event.stopPropagation();
        select(item);
        ghost.focus();
        startDrag(item, event);
      });
      ghost.addEventListener('keydown', (event) => {
        const step = event.shiftKey ? 10 : 1;
        const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
        const move = moves[event.key];
        if (!move || !item.at) return;
        event.preventDefault();
        item.at = clampPoint([item.at[0] + move[0], item.at[1] + move[1]]);
        showAt(item);
        changed(600);
      });
    }

    function startDrag(item, event) {
      const start = roomPoint(event);
      drag = { item, start, startAt: item.at.slice(), pointer: event.pointerId };
      stage.setPointerCapture(event.pointerId);
      stage.classList.add('dragging');
      showRoom();
    }

    // "Pick objects in front": a click on the room marks the object there, or unmarks it when it is
    // near a mark (2% of the room's width).
    inFrontButton.addEventListener('click', () => {
      state.picking = !state.picking;
      inFrontButton.setAttribute('aria-pressed', String(state.picking));
      stage.classList.toggle('picking', state.picking);
    });
    function toggleInFront(point) {
      const near = Math.max(8, state.width * 0.02);
      const hit = state.inFront.findIndex(([x, y]) => Math.hypot(x - point[0], y - point[1]) <= near);
      if (hit >= 0) state.inFront.splice(hit, 1);
      else state.inFront.push(point);
      showInFront([]);
      changed();
    }
    // The marks, and the boxes of the objects the last render found.
    function showInFront(boxes) {
      for (const node of state.inFrontNodes) node.remove();
      state.inFrontNodes = [];
      const percent = (v, total) => `${(v / total) * 100}%`;
      for (const [x, y] of state.inFront) {
        const mark = element('div', { class: 'in-front-marker', dataset: { at: `${x},${y}` } });
        Object.assign(mark.style, { left: percent(x, state.width), top: percent(y, state.height) });
        state.inFrontNodes.push(mark);
      }
      for (const [x, y, w, h] of boxes) {
        const outline = element('div', { class: 'in-front-box' });
        Object.assign(outline.style, { left: percent(x, state.width), top: percent(y, state.height),
                                       width: percent(w, state.width), height: percent(h, state.height) });
        state.inFrontNodes.push(outline);
      }
      stage.append(...state.inFrontNodes);
      $('#in-front-count').textContent = state.inFront.length ? `${state.inFront.length} in front` : '';
    }

    // Pressing on the room moves the selected item there and keeps dragging it (or, when picking
    // objects in front, marks the object there).
    stage.addEventListener('pointerdown', (event) => {
      if (event.button !== 0 || !state.width) return;
      if (state.picking) {
        event.preventDefault();
        toggleInFront(clampPoint(roomPoint(event)));
        return;
      }
      if (!state.selected) return;
      event.preventDefault();
      state.selected.at = clampPoint(roomPoint(event));
      layout(state.selected);
      startDrag(state.selected, event);
    });
    stage.addEventListener('pointermove', (event) => {
      if (!drag || event.pointerId !== drag.pointer) return;
      const point = roomPoint(event);
      drag.item.at = clampPoint([drag.startAt[0] + point[0] - drag.start[0], drag.startAt[1] + point[1] - drag.start[1]]);
      layout(drag.item);
      showAt(drag.item);
    });
    const endDrag = (event) => {
      if (!drag || event.pointerId !== drag.pointer) return;
      drag = null;
      stage.classList.remove('dragging');
      changed();
    };
    stage.addEventListener('pointerup', endDrag);
    stage.addEventListener('pointercancel', endDrag);

    function showHorizon() {
      horizonLine.hidden = state.horizon === null || !state.height || state.horizon < 0 || state.horizon >= state.height;
      if (horizonLine.hidden) return;
      horizonLine.style.top = `${(state.horizon / state.height) * 100}%`;
      if (horizonInput.value.trim() === '') horizonInput.placeholder = `auto: ${Math.round(state.horizon)}`;
    }

    function showRoom() {
      state.seq++;  // a render on its way is for the old placement: its result is dropped
      stage.classList.remove('rendered');
      if (state.roomUrl && stageImage.src !== state.roomUrl) stageImage.src = state.roomUrl;
      download.hidden = true;
      stage.dataset.state = 'editing';
    }

    // Something changed: show the room with the ghosts, and render again after `delay` ms.
    function changed(delay = 250) {
      showRoom();
      state.items.forEach(layout);
      clearTimeout(state.timer);
      if (state.room && state.items.length) state.timer = setTimeout(render, delay);
    }

    function scene() {
      const items = state.items.map((item, i) => {
        const entry = item.source.catalogue ? { catalogue: item.source.catalogue } : { upload: `item${i}` };
        if (item.view) entry.view = item.view;
        entry.at = item.at;
        if (item.size !== null) entry[item.sizeMode] = item.size;
        if (item.flip) entry.flip = true;
        if (item.rotate) entry.rotate = item.rotate;
        return entry;
      });
      const result = { items, camera_height_cm: Number($('#camera-height').value) || 150 };
      if (state.inFront.length) result.in_front = state.inFront.map((p) => p.slice());
      if (horizonInput.value.trim() !== '' && Number.isFinite(Number(horizonInput.value))) result.horizon = Number(horizonInput.value);
      if (!$('#harmonize').checked) result.harmonize = false;
      if ($('#poisson-seams').checked) result.poisson_seams = true;
      return result;
    }

    async function render() {
      clearTimeout(state.timer);
      if (!state.room) return setStatus(status, 'Choose a room photo first.', 'error');
      if (!state.items.length) return setStatus(status, 'Pick a piece of furniture first.', 'error');
      const missing = state.items.find((item) => item.size === null && !item.dims);
      if (missing) return setStatus(status, `Give the real size of ${missing.name}.`, 'error');
      const seq = ++state.seq;
      const placement = scene();
      const form = new FormData();
      form.append('room', state.room, state.room.name);
      form.append('scene', JSON.stringify(placement));
      state.items.forEach((item, i) => {
        if (item.source.file) form.append(`item${i}`, item.source.file, item.source.file.name);
      });
      stage.dataset.state = 'rendering';
      setStatus(status, 'Rendering…', 'busy');
      try {
        const response = await postForm('/api/tryon', form);
        const blob = await response.blob();
        const report = JSON.parse(response.headers.get('X-Neuroshop-Report') || '{"items": []}');
        if (seq !== state.seq) return;  // the placement changed meanwhile; a newer render follows
        if (state.resultUrl) URL.revokeObjectURL(state.resultUrl);
        state.resultUrl = URL.createObjectURL(blob);
        await loadImage(state.resultUrl);
        if (seq !== state.seq) return;
        state.horizon = report.horizon ? report.horizon.y : null;
        showHorizon();
        report.items.forEach((placed, i) => {
          const item = state.items[i];
          if (!item) return;
          item.box = placed.box;
          item.boxAt = placed.at;
          layout(item);
        });
        showInFront((report.in_front || []).map((o) => o.box));
        stageImage.src = state.resultUrl;
        stage.classList.add('rendered');
        offerDownload(download, blob, `${stem(state.room.name)}-tryon.png`);
        download.dataset.scene = JSON.stringify(placement);
        stage.dataset.state = 'rendered';
        const lines = report.items.map((placed) => `${placed.file}: ${Math.round(placed.height_px)} px tall, ${placed.size_from}` +
                                                    (placed.view ? `; view ${placed.view}: ${placed.view_reason}` : '') +
                                                    (placed.behind && placed.behind.length ? '; partly behind a room object' : ''));
        if (report.horizon) lines.unshift(report.horizon.note);
        setStatus(status, lines.join('\n'));
      } catch (e) {
        if (seq !== state.seq) return;
        stage.dataset.state = 'error';
        setStatus(status, e.message, 'error');
      }
    }
  }

  // ---- colorize and stylize: one photo in, one picture out ----------------------------------------
  // `build(form)` adds the page's fields and returns '' or a problem to show instead of running.
  function singleImagePage({ input, endpoint, suffix, build }) {
    const status = $('#status');
    const run = $('#run');
    const download = $('#download');
    const before = $('#before');
    const after = $('#after');
    let file = null;
    let busy = false;

    $(input).addEventListener('change', (event) => {
      const chosen = event.target.files[0];
      if (!chosen) return;
      const problem = fileProblem(chosen);
      if (problem) {
        setStatus(status, problem, 'error');
        return;
      }
      file = chosen;
      if (before.src.startsWith('blob:')) URL.revokeObjectURL(before.src);
      before.src = URL.createObjectURL(file);
      before.hidden = false;
      after.hidden = true;
      download.hidden = true;
      run.disabled = false;
      setStatus(status, '');
    });

    run.addEventListener('click', async () => {
      if (!file || busy) return;
      const form = new FormData();
      form.append(input === '#image-file' ? 'image' : 'content', file, file.name);
      const problem = build(form);
      if (problem) return setStatus(status, problem, 'error');
      busy = true;
      run.disabled = true;
      const started = performance.now();
      setStatus(status, 'Working…', 'busy');
      try {
        const response = await postForm(endpoint, form);
        const blob = await response.blob();
        if (after.src.startsWith('blob:')) URL.revokeObjectURL(after.src);
        after.src = URL.createObjectURL(blob);
        after.hidden = false;
        offerDownload(download, blob, `${stem(file.name)}-${suffix}.png`);
        setStatus(status, `Done in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
      } catch (e) {
        setStatus(status, e.message, 'error');
      } finally {
        busy = false;
        run.disabled = false;
      }
    });
  }

  function showValue(range, output) {
    const update = () => { $(output).textContent = $(range).value; };
    $(range).addEventListener('input', update);
    update();
  }

  function colorizePage() {
    loadInfo().then((info) => {
      if (info.colorize === false) setStatus($('#status'), 'The colorize model is not installed on this server.', 'error');
    });
    showValue('#vividness', '#vividness-value');
    singleImagePage({
      input: '#image-file', endpoint: '/api/colorize', suffix: 'colorized',
      build: (form) => {
        form.append('vividness', $('#vividness').value);
        return '';
      },
    });
  }

  function stylizePage() {
    const select = $('#style-select');
    loadInfo().then((info) => {
      for (const name of info.styles || []) select.append(element('option', { value: name, text: name.replace(/-/g, ' ') }));
      select.append(element('option', { value: '', text: 'my own painting…' }));
      select.dispatchEvent(new Event('change'));
    });
    select.addEventListener('change', () => { $('#style-upload').hidden = select.value !== ''; });
    showValue('#strength', '#strength-value');
    singleImagePage({
      input: '#content-file', endpoint: '/api/stylize', suffix: 'stylized',
      build: (form) => {
        if (select.value) {
          form.append('style', select.value);
        } else {
          const painting = $('#style-file').files[0];
          const problem = painting ? fileProblem(painting) : 'Choose a painting, or pick a shipped style.';
          if (problem) return problem;
          form.append('style_image', painting, painting.name);
          form.append('size', $('#size').value);
          form.append('method', $('#method').value);
          form.append('iterations', $('#iterations').value);
        }
        form.append('strength', $('#strength').value);
        form.append('preserve_colors', $('#preserve-colors').checked ? 'true' : 'false');
        return '';
      },
    });
  }

  const pages = { index: indexPage, tryon: tryonPage, colorize: colorizePage, stylize: stylizePage };
  const page = pages[document.body.dataset.page];
  if (page) page();
})();
