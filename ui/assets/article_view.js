// The article view (gr.HTML js_on_load): scrolled to the cited sentence when it opens; closed by
// its button or a click beside it.
watch('value', () => {
  const focus = element.querySelector('[data-focus]') || element.querySelector('mark');
  if (focus) focus.scrollIntoView({block: 'center'});
  const close = element.querySelector('.close-article');
  if (close) close.focus({preventScroll: true});
});
element.addEventListener('click', (event) => {
  if (event.target.closest('.close-article') || event.target.classList.contains('article-modal'))
    props.value = '';
});
