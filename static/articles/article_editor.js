// The article body editor in the admin: Tiptap, from django-prose-editor's own bundle (served by us, no
// CDN). A module file, started without any inline script and without the <style> tag Tiptap would
// inject, since the Content-Security-Policy allows neither (editor.css carries the styles). Images
// are uploaded to the article (an ArticleImage, checked by content on the server) and inserted at the
// cursor; the body is sanitised on save as before (gongzufang/article_html.py).
const textarea = document.querySelector("textarea[data-article-editor]");

function csrfToken(form) {
  const field = form && form.querySelector("input[name=csrfmiddlewaretoken]");
  return field ? field.value : "";
}

function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

// The editor's own words in Chinese: its bundle reads window.gettext once, when it is first imported.
const ZH = {
  "Add caption": "添加说明", "Alternative Text": "替代文字", "Browse...": "浏览……", "Bullets": "项目符号",
  "Cancel": "取消", "Caption": "说明", "Columns": "列数", "Decimal numbers": "1, 2, 3", "Edit Figure": "编辑插图",
  "Edit HTML": "编辑 HTML", "Edit Image": "编辑图片", "Edit Link": "编辑链接", "Image URL": "图片地址",
  "Include header row": "包含表头行", "Insert Figure": "插入插图", "Insert Table": "插入表格", "Insert": "插入",
  "List properties": "列表设置", "List type": "列表样式", "Lowercase Roman numerals": "i, ii, iii",
  "Lowercase letters": "a, b, c", "Open in new window": "在新窗口打开", "Prettify": "整理格式",
  "Remove caption": "删除说明", "Rows": "行数", "Start at": "起始编号", "Table Properties": "表格设置",
  "Title": "标题", "Toggle fullscreen": "全屏", "URL": "链接地址", "Update": "更新",
  "Uppercase Roman numerals": "I, II, III", "Uppercase letters": "A, B, C",
  "The HTML contents of the editor. Note that the allowed HTML is restricted by the editor schema.":
    "正文的 HTML。保存时只保留允许的标签，脚本等会被移除。",
};
if (!window.gettext) window.gettext = (text) => ZH[text] || text;

function relabel(root) {
  // Block types in the style dropdown are not passed through gettext by the bundle.
  for (const node of root.querySelectorAll(".prose-menubar *")) {
    if (node.children.length) continue;
    const heading = /^Heading (\d)$/.exec(node.textContent);
    if (heading) node.textContent = `标题 ${heading[1]}`;
    else if (node.textContent === "Paragraph") node.textContent = "正文段落";
  }
}

async function start() {
  const t = await import(textarea.dataset.editorModule);
  const outer = el("div", { className: "article-editor" });
  const wrapper = el("div", { className: "prose-editor" });
  textarea.before(outer);
  outer.append(wrapper);
  wrapper.append(textarea);
  const editor = new t.Editor({
    element: wrapper,
    injectCSS: false,
    content: textarea.value,
    extensions: [
      t.Document, t.Paragraph, t.Text, t.HardBreak, t.Dropcursor, t.Gapcursor, t.History, t.Menu, t.HTML,
      t.Heading.configure({ levels: [2, 3, 4] }), t.Bold, t.Italic, t.Underline, t.Strike, t.Subscript,
      t.Superscript, t.BulletList, t.OrderedList, t.ListItem, t.Blockquote, t.HorizontalRule,
      t.Link.configure({ openOnClick: false }), t.Image, t.Table, t.TableRow, t.TableHeader, t.TableCell,
    ],
    onUpdate({ editor: e }) {
      const html = e.getHTML();
      textarea.value = /^<(\w+)(\s[^>]*)?><\/\1>$/i.test(html) ? "" : html;
    },
  });
  relabel(wrapper);
  textarea.dataset.editorReady = "1";

  const status = el("p", { className: "article-editor-status", role: "status" });
  const panel = el("div", { className: "article-editor-upload" });
  if (!textarea.dataset.uploadUrl) {
    panel.append(el("p", { className: "help", textContent: "保存后即可在正文中上传并插入图片。" }));
    wrapper.after(panel);
    return;
  }
  const file = el("input", { type: "file", accept: "image/jpeg,image/png,image/webp", id: "article-editor-file" });
  const caption = el("input", { type: "text", maxLength: 120, id: "article-editor-caption", placeholder: "图片说明（选填）" });
  const button = el("button", { type: "button", className: "button", textContent: "上传并插入图片" });
  panel.append(
    el("label", { htmlFor: "article-editor-file", textContent: "正文图片" }), file,
    el("label", { htmlFor: "article-editor-caption", textContent: "图片说明" }), caption, button, status,
  );
  wrapper.after(panel);

  button.addEventListener("click", async () => {
    if (!file.files.length) {
      status.textContent = "请先选择图片。";
      return;
    }
    const body = new FormData();
    body.append("image", file.files[0]);
    body.append("caption", caption.value);
    button.disabled = true;
    status.textContent = "正在上传……";
    try {
      const response = await fetch(textarea.dataset.uploadUrl, {
        method: "POST", body, credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(textarea.form), Accept: "application/json" },
      });
      const answer = await response.json().catch(() => ({ error: "上传失败，请重试。" }));
      if (!response.ok) {
        status.textContent = answer.error || "上传失败，请重试。";
        return;
      }
      editor.chain().focus().setImage({ src: answer.url, alt: answer.caption || "" }).run();
      status.textContent = `已插入图片${answer.caption ? "：" + answer.caption : ""}。保存后生效。`;
      file.value = "";
      caption.value = "";
    } catch (error) {
      status.textContent = "上传失败，请检查网络后重试。";
    } finally {
      button.disabled = false;
    }
  });
}

if (textarea) start();
