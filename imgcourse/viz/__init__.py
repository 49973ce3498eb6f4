"""Figures the notebooks share. Every function draws with matplotlib (seaborn for heat maps)
and returns the figure; call ``plt.show()`` in the notebook. One module per topic; every name
is also here, so ``viz.show_images`` works whichever module holds it.
"""

from imgcourse.viz.architectures import (
    plot_architecture_comparison,
    plot_depth_curves,
)
from imgcourse.viz.attention import (
    CaptionStepper,
    caption_stepper,
    show_attention_rollout,
    show_caption_attention,
)
from imgcourse.viz.autoencoders import (
    plot_codes_2d,
    plot_rate_distortion,
    show_image_rows,
)
from imgcourse.viz.capstone import plot_image_sizes, show_worst_errors, worst_errors
from imgcourse.viz.continual import plot_strategies, plot_stream, show_phases
from imgcourse.viz.convolution import (
    show_convolution_step,
    show_kernels_and_patches,
    show_layer_maps,
    show_panels,
    show_receptive_fields,
    strongest_patches,
)
from imgcourse.viz.core import (
    plot_confusion,
    plot_history,
    show_feature_maps,
    show_filters,
    show_images,
    show_kernel_rows,
)
from imgcourse.viz.data import (
    plot_class_balance,
    plot_pipeline_rates,
    plot_seed_comparison,
    show_augmentation_steps,
    show_augmentations,
)
from imgcourse.viz.deploy import plot_deployment, plot_stream_stages
from imgcourse.viz.detection import show_detections
from imgcourse.viz.evaluation import (
    plot_interval_widths,
    plot_reliability,
    plot_roc_pr,
    plot_seed_tradeoff,
)
from imgcourse.viz.explain import (
    plot_randomization,
    print_mark_table,
    print_share_table,
    show_explanations,
)
from imgcourse.viz.features import (
    plot_pipeline_accuracies,
    show_filter_responses,
    show_hog_pictures,
)
from imgcourse.viz.fewshot import (
    plot_embeddings_2d,
    plot_shot_accuracy,
    separation,
    show_attribute_predictions,
    show_episode,
)
from imgcourse.viz.gans import (
    InterpolationExplorer,
    interpolation_explorer,
    plot_class_coverage,
    plot_gan_losses,
    plot_interpolation,
    show_snapshots,
)
from imgcourse.viz.search import plot_pareto, plot_search_progress
from imgcourse.viz.style import (
    plot_gram_matrices,
    plot_style_losses,
    plot_tradeoff,
    show_judges,
    show_style_images,
    show_weight_grid,
    style_weight_explorer,
)
from imgcourse.viz.tasks import (
    MASK_COLOURS,
    overlay_mask,
    show_mask_overlays,
)
from imgcourse.viz.training import (
    plot_best_so_far,
    plot_range_test,
    plot_search_heatmaps,
    plot_seed_curves,
)
from imgcourse.viz.transfer import (
    plot_label_curves,
)

__all__ = [
    "plot_pipeline_accuracies",
    "show_filter_responses",
    "show_hog_pictures",
    "plot_stream",
    "plot_strategies",
    "show_phases",
    "plot_pareto",
    "plot_search_progress",
    "plot_deployment",
    "plot_stream_stages",
    "plot_codes_2d",
    "plot_rate_distortion",
    "show_image_rows",
    "InterpolationExplorer",
    "interpolation_explorer",
    "plot_class_coverage",
    "plot_gan_losses",
    "plot_interpolation",
    "show_snapshots",
    "plot_gram_matrices",
    "plot_style_losses",
    "plot_tradeoff",
    "show_judges",
    "show_style_images",
    "show_weight_grid",
    "style_weight_explorer",
    "CaptionStepper",
    "caption_stepper",
    "show_attention_rollout",
    "show_caption_attention",
    "plot_embeddings_2d",
    "plot_shot_accuracy",
    "separation",
    "show_attribute_predictions",
    "show_episode",
    "plot_image_sizes",
    "show_worst_errors",
    "worst_errors",
    "MASK_COLOURS",
    "overlay_mask",
    "plot_architecture_comparison",
    "plot_best_so_far",
    "plot_class_balance",
    "plot_confusion",
    "plot_depth_curves",
    "plot_history",
    "plot_interval_widths",
    "plot_label_curves",
    "plot_randomization",
    "print_mark_table",
    "print_share_table",
    "plot_reliability",
    "plot_roc_pr",
    "plot_search_heatmaps",
    "plot_pipeline_rates",
    "plot_seed_comparison",
    "plot_seed_curves",
    "plot_range_test",
    "plot_seed_tradeoff",
    "show_augmentation_steps",
    "show_augmentations",
    "show_convolution_step",
    "show_detections",
    "show_explanations",
    "show_feature_maps",
    "show_filters",
    "show_images",
    "show_kernel_rows",
    "show_kernels_and_patches",
    "show_layer_maps",
    "show_mask_overlays",
    "show_panels",
    "show_receptive_fields",
    "strongest_patches",
]
