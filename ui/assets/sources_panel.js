// The sources panel (gr.HTML js_on_load): its "Open the article" buttons ask for the article view.
element.addEventListener('click', (event) => {
  const button = event.target.closest('.open-article');
  if (!button) return;
  trigger('open_article', {article_id: button.dataset.articleId, turn: button.dataset.turn,
                           marker: button.dataset.marker});
});
